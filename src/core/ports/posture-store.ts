export interface OwaspReview {
  id: string;
  category: string; // A01..A10
  edition: '2021' | '2025';
  kind: 'control' | 'finding_review';
  title: string;
  reviewed_by: string;
  at: number;
}

export interface PostureStore {
  addReview(review: OwaspReview): Promise<void>;
  reviewsSince(since: number): Promise<OwaspReview[]>;
  /** Finish time of the latest completed dependency scan, or null when none ran. */
  lastScanAt(): Promise<number | null>;
  saveDailySnapshot(day: string, capturedAt: number, summary: unknown): Promise<void>;
  dailySnapshots(sinceDay: string): Promise<{ day: string; captured_at: number; summary: unknown }[]>;
}
