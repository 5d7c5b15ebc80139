import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  EventId,
  EventStore,
  StreamableHTTPServerTransport,
  StreamId,
} from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import { createConformanceServer } from './legacy-fixture.server';

/** Bounds: the fixture is for one conformance run at a time, never for load. */
export const CONFORMANCE_LIMITS = {
  maxSessions: 64,
  idleMs: 10 * 60_000,
  eventsPerSession: 1000,
  /** SSE `retry` sent with priming events (SEP-1699); short so polling scenarios stay fast. */
  retryIntervalMs: 1000,
} as const;

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  lastSeen: number;
}

/** A bounded in-memory event store so clients can resume an SSE stream with Last-Event-ID (SEP-1699). */
class BoundedEventStore implements EventStore {
  private readonly events = new Map<EventId, { streamId: StreamId; message: JSONRPCMessage }>();
  private sequence = 0;

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    this.sequence += 1;
    const eventId = `${streamId}::${String(this.sequence).padStart(10, '0')}`;
    this.events.set(eventId, { streamId, message });
    if (this.events.size > CONFORMANCE_LIMITS.eventsPerSession) {
      this.events.delete(this.events.keys().next().value as EventId);
    }
    return eventId;
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.events.get(eventId)?.streamId ?? eventId.split('::')[0];
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const streamId = lastEventId.split('::')[0];
    for (const [eventId, event] of this.events) {
      // Ids are zero-padded sequence numbers, so string order is time order.
      if (
        event.streamId === streamId &&
        eventId > lastEventId &&
        Object.keys(event.message).length > 0
      ) {
        await send(eventId, event.message);
      }
    }
    return streamId;
  }
}

/**
 * The conformance fixture's sessions (the conformance suite drives the stateful 2025-11-25 wire:
 * sessions, server-to-client requests on POST streams, a GET stream, DELETE). Evicts the oldest
 * session beyond the cap and sessions idle for ten minutes; close() ends everything so open SSE
 * streams never hold the HTTP server open.
 */
export class ConformanceSessions {
  private readonly sessions = new Map<string, Session>();

  get(sessionId: string): StreamableHTTPServerTransport | undefined {
    this.evictIdle();
    const session = this.sessions.get(sessionId);
    if (!session) return undefined;
    session.lastSeen = Date.now();
    return session.transport;
  }

  /** A transport and server for a new session; the session is registered once initialize succeeds. */
  async open(): Promise<StreamableHTTPServerTransport> {
    this.evictIdle();
    while (this.sessions.size >= CONFORMANCE_LIMITS.maxSessions) {
      const oldest = this.sessions.keys().next().value as string;
      await this.close(oldest);
    }
    let transport: StreamableHTTPServerTransport | undefined = undefined;
    const server = createConformanceServer({
      subscriptions: new Set(),
      closeRequestStream: (requestId) => transport?.closeSSEStream(requestId),
    });
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: new BoundedEventStore(),
      retryInterval: CONFORMANCE_LIMITS.retryIntervalMs,
      onsessioninitialized: (sessionId) => {
        this.sessions.set(sessionId, { transport: transport!, server, lastSeen: Date.now() });
      },
    });
    const opened = transport;
    opened.onclose = () => {
      const sessionId = opened.sessionId;
      if (sessionId && this.sessions.get(sessionId)?.transport === opened) {
        this.sessions.delete(sessionId);
        void server.close().catch(() => undefined);
      }
    };
    opened.onerror = () => undefined; // the suite reports what matters
    await server.connect(opened);
    return opened;
  }

  /** Drops a transport whose initialize failed (no session was created). */
  async discard(transport: StreamableHTTPServerTransport): Promise<void> {
    if (transport.sessionId && this.sessions.has(transport.sessionId)) return;
    await transport.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }

  private async close(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    this.sessions.delete(sessionId);
    await session.transport.close().catch(() => undefined);
    await session.server.close().catch(() => undefined);
  }

  private evictIdle(): void {
    const cutoff = Date.now() - CONFORMANCE_LIMITS.idleMs;
    for (const [id, session] of this.sessions) {
      if (session.lastSeen < cutoff) void this.close(id);
    }
  }
}
