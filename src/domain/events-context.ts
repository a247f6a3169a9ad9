/** What the domain services need to know to build and record events. */
export type EventSettings = { publicUrl: string; maxPayloadBytes: number };
