// In-memory store of focus sessions. A real deployment would use a database; the example keeps
// the service dependency-free so its image is just node + the built sources.
import { randomUUID } from 'node:crypto';

const sessions = [
  { id: randomUUID(), task: 'Write the weekly report', minutes: 25, startedAt: new Date().toISOString() },
];

export function listSessions() {
  return sessions;
}

export function createSession({ task, minutes }) {
  if (typeof task !== 'string' || task.trim() === '') {
    throw new RangeError('"task" must be a non-empty string');
  }
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 240) {
    throw new RangeError('"minutes" must be an integer between 1 and 240');
  }
  const session = { id: randomUUID(), task: task.trim(), minutes, startedAt: new Date().toISOString() };
  sessions.push(session);
  return session;
}

export function stats() {
  const totalMinutes = sessions.reduce((sum, s) => sum + s.minutes, 0);
  return { sessions: sessions.length, totalMinutes };
}
