package dev.aurora.cache;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A least-recently-used cache with a time to live.
 *
 * <p>Not thread-safe; wrap it for concurrent use.
 */
public class LruCache<K, V> {
    private final int capacity;
    private final Duration ttl;
    private final Clock clock;
    private final Map<K, Entry<V>> map;

    /** An entry remembers when it was written. */
    static final class Entry<V> {
        final V value;
        final long writtenAt;

        Entry(V value, long writtenAt) {
            this.value = value;
            this.writtenAt = writtenAt;
        }

        boolean expired(long now, Duration ttl) {
            return now - writtenAt > ttl.toMillis();
        }
    }

    /** Why an entry left the cache. */
    public enum Removal {
        EXPIRED,
        EVICTED;

        public boolean automatic() {
            return true;
        }
    }

    public LruCache(int capacity, Duration ttl, Clock clock) {
        this.capacity = capacity;
        this.ttl = ttl;
        this.clock = clock;
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
                return size() > LruCache.this.capacity;
            }
        };
    }

    /**
     * Returns the value of key unless it is missing or expired.
     */
    public Optional<V> get(K key) {
        Entry<V> e = map.get(key);
        if (e == null || e.expired(clock.millis(), ttl)) {
            map.remove(key);
            return Optional.empty();
        }
        return Optional.of(e.value);
    }

    // put stores value under key.
    @SuppressWarnings("unchecked")
    public void put(K key, V value) {
        map.put(key, new Entry<>(value, clock.millis()));
    }

    public int size() {
        return map.size();
    }
}

/** Listener is told about removals. */
interface Listener<K> {
    void removed(K key, LruCache.Removal why);

    default boolean wantsExpired() {
        return true;
    }
}

record Stats(long hits, long misses) {
    double hitRate() {
        return hits + misses == 0 ? 0 : (double) hits / (hits + misses);
    }
}
