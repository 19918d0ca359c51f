package fixture;

import java.util.ArrayDeque;
import java.util.Deque;

/** A first-in first-out queue of tasks with a bounded size. */
public class TaskQueue {
    private final Deque<Runnable> tasks = new ArrayDeque<>();
    private final int limit;

    public TaskQueue(int limit) {
        this.limit = limit;
    }

    /** Offers a task; returns false when the queue is full. */
    public boolean offer(Runnable task) {
        if (tasks.size() >= limit) {
            return false;
        }
        tasks.addLast(task);
        return true;
    }

    /** Runs every queued task in order. */
    public void drain() {
        while (!tasks.isEmpty()) {
            tasks.removeFirst().run();
        }
    }
}
