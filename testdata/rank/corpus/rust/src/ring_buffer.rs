//! A fixed-capacity ring buffer for the metrics sampler.

/// A first-in, first-out queue of fixed capacity backed by a vector.
///
/// When full, `push` overwrites the oldest element, which is what a
/// sampler keeping "the last N readings" wants.
pub struct RingBuffer<T> {
    buf: Vec<Option<T>>,
    head: usize, // index of the oldest element
    len: usize,
}

impl<T> RingBuffer<T> {
    /// Creates an empty buffer that holds at most `capacity` elements.
    ///
    /// # Panics
    /// If `capacity` is zero.
    pub fn with_capacity(capacity: usize) -> Self {
        assert!(capacity > 0, "ring buffer capacity must be positive");
        let mut buf = Vec::with_capacity(capacity);
        buf.resize_with(capacity, || None);
        RingBuffer { buf, head: 0, len: 0 }
    }

    /// Appends an element, returning the one it overwrote if the buffer
    /// was full.
    pub fn push(&mut self, value: T) -> Option<T> {
        let cap = self.buf.len();
        let tail = (self.head + self.len) % cap;
        if self.len == cap {
            let old = self.buf[tail].replace(value);
            self.head = (self.head + 1) % cap;
            old
        } else {
            self.buf[tail] = Some(value);
            self.len += 1;
            None
        }
    }

    /// Removes and returns the oldest element.
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let value = self.buf[self.head].take();
        self.head = (self.head + 1) % self.buf.len();
        self.len -= 1;
        value
    }

    /// Number of elements held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the next push will overwrite an element.
    pub fn is_full(&self) -> bool {
        self.len == self.buf.len()
    }

    /// Iterates from the oldest element to the newest.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        (0..self.len).filter_map(move |i| self.buf[(self.head + i) % self.buf.len()].as_ref())
    }
}

impl RingBuffer<f64> {
    /// Mean of the held samples, or `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        if self.len == 0 {
            return None;
        }
        Some(self.iter().sum::<f64>() / self.len as f64)
    }
}
