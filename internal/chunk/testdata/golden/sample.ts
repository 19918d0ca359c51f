/**
 * In-memory job queue with priorities and retries.
 */
import { EventEmitter } from "events";

export type JobId = string;

/** The state a job is in. */
export enum JobState {
  Queued = "queued",
  Running = "running",
  Done = "done",
  Failed = "failed",
}

/**
 * A unit of work.
 */
export interface Job<T = unknown> {
  id: JobId;
  priority: number;
  payload: T;
  attempts: number;
  run(payload: T): Promise<void>;
}

type Handler = (job: Job) => void;

// Queue runs jobs in priority order.
export class Queue extends EventEmitter {
  private jobs: Job[] = [];
  private states = new Map<JobId, JobState>();

  constructor(private readonly maxAttempts = 3) {
    super();
  }

  /** Adds a job; higher priority runs first. */
  push(job: Job): void {
    this.jobs.push(job);
    this.jobs.sort((a, b) => b.priority - a.priority);
    this.states.set(job.id, JobState.Queued);
  }

  state(id: JobId): JobState | undefined {
    return this.states.get(id);
  }

  async drain(onDone?: Handler): Promise<number> {
    let n = 0;
    for (let job = this.jobs.shift(); job; job = this.jobs.shift()) {
      this.states.set(job.id, JobState.Running);
      try {
        await job.run(job.payload);
        this.states.set(job.id, JobState.Done);
        onDone?.(job);
        n++;
      } catch (err) {
        job.attempts++;
        this.retryOrFail(job, err);
      }
    }
    return n;
  }

  private retryOrFail(job: Job, err: unknown): void {
    if (job.attempts < this.maxAttempts) {
      this.jobs.push(job);
      return;
    }
    this.states.set(job.id, JobState.Failed);
    this.emit("failed", job, err);
  }
}

/** newJob builds a job with defaults. */
export const newJob = <T>(id: JobId, payload: T, run: (p: T) => Promise<void>): Job<T> => ({
  id,
  priority: 0,
  payload,
  attempts: 0,
  run,
});

export function isDone(q: Queue, id: JobId): boolean {
  return q.state(id) === JobState.Done;
}

declare global {
  interface Window {
    jobQueue: Queue;
  }
}

const q = new Queue(5);
q.on("failed", (job: Job, err: unknown) => console.error(`job ${job.id} failed`, err));
q.push(newJob("a", 1, async (n) => console.log("a", n)));
q.push(newJob("b", 2, async (n) => console.log("b", n)));
window.jobQueue = q;
void q.drain();
