import { InvocationContext } from '@azure/functions';

/**
 * Plays the Durable Functions extension's part for an orchestrator registered with durable-functions, so a test can
 * run it through the library's own replay engine without the Functions host: each episode hands the orchestrator
 * the whole history as the extension sends it (JSON events: OrchestratorStarted, ExecutionStarted, TaskScheduled,
 * TaskCompleted / TaskFailed, TimerCreated / TimerFired), takes the actions it returns, runs the activities they
 * name (inputs and results through JSON, as in the task hub) and appends their completions, until the orchestrator
 * is done. Timers fire at once (their FireAt is recorded). Completions of a fan-out arrive `batchSize` at a time, so
 * the orchestrator replays through partial fan-ins, as it does on the platform. This is a model of the extension's
 * protocol as durable-functions reads it (its TaskOrchestrationExecutor), not the extension: task hub storage,
 * leases, queue delivery and at-least-once redelivery are not emulated.
 */
export interface ReplayRun {
  status: 'completed' | 'failed';
  output?: unknown;
  /** The failure message when the orchestration failed. */
  error?: string;
  episodes: number;
  history: HistoryEvent[];
  /** Each activity call, in schedule order. */
  calls: Array<{ name: string; input: unknown }>;
  timers: Date[];
  customStatus: unknown;
  logs: string[];
}

type Activity = (input: unknown, context: InvocationContext) => unknown;
type Orchestrator = (trigger: unknown, context: InvocationContext) => Promise<unknown>;

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

const EVENT = {
  ExecutionStarted: 0,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
} as const;
const ACTION = { CallActivity: 0, CreateTimer: 5, WhenAny: 11, WhenAll: 12 } as const;

interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  fireAt?: string | Date;
  compoundActions?: Action[];
}

export async function runOrchestration(options: {
  orchestrator: Orchestrator;
  name: string;
  instanceId: string;
  input: unknown;
  activities: Record<string, Activity>;
  startInMs: number;
  batchSize?: number;
  maxEpisodes?: number;
}): Promise<ReplayRun> {
  const batchSize = options.batchSize ?? 4;
  let nowInMs = options.startInMs;
  const stamp = () => new Date((nowInMs += 1000)).toISOString();
  const event = (type: number, fields: Record<string, unknown> = {}): HistoryEvent => ({
    EventType: type,
    EventId: -1,
    IsPlayed: false,
    Timestamp: stamp(),
    ...fields,
  });
  const history: HistoryEvent[] = [
    event(EVENT.OrchestratorStarted),
    event(EVENT.ExecutionStarted, { Name: options.name, Input: JSON.stringify(options.input) }),
  ];
  const run: ReplayRun = {
    status: 'failed',
    episodes: 0,
    history,
    calls: [],
    timers: [],
    customStatus: null,
    logs: [],
  };
  let scheduled = 0;
  // Completions waiting to be delivered (a fan-out's results arrive over several episodes).
  const inbox: HistoryEvent[] = [];

  for (let episode = 0; episode < (options.maxEpisodes ?? 500); episode++) {
    run.episodes++;
    const context = new InvocationContext({
      invocationId: `${options.instanceId}-${episode}`,
      functionName: options.name,
      logHandler: (level, ...args) => run.logs.push(`${level}: ${args.map(String).join(' ')}`),
    });
    let state: { isDone: boolean; actions: Action[][]; output?: unknown; customStatus?: unknown };
    try {
      state = (await options.orchestrator(
        {
          history: JSON.parse(JSON.stringify(history)) as unknown,
          input: options.input,
          instanceId: options.instanceId,
          isReplaying: episode > 0,
          parentInstanceId: '',
          upperSchemaVersion: 3,
          maximumShortTimerDuration: '6.00:00:00',
          longRunningTimerIntervalDuration: '3.00:00:00',
        },
        context,
      )) as typeof state;
    } catch (error) {
      // durable-functions throws an OrchestrationFailureError carrying the state when user code threw.
      run.error = (error as { message?: string }).message ?? String(error);
      return run;
    }
    run.customStatus = state.customStatus ?? run.customStatus;
    if (state.isDone) {
      run.status = 'completed';
      run.output = state.output;
      return run;
    }
    // The actions are every action so far, in the order the orchestrator scheduled them: the new ones come last.
    const actions = state.actions.flat().flatMap(flatten);
    const fresh = actions.slice(scheduled);
    const next: HistoryEvent[] = [event(EVENT.OrchestratorStarted)];
    for (const action of fresh) {
      const id = scheduled++;
      if (action.actionType === ACTION.CreateTimer) {
        const fireAt = new Date(action.fireAt!);
        run.timers.push(fireAt);
        next.push(event(EVENT.TimerCreated, { EventId: id, FireAt: fireAt.toISOString() }));
        inbox.push(event(EVENT.TimerFired, { TimerId: id, FireAt: fireAt.toISOString() }));
        continue;
      }
      if (action.actionType !== ACTION.CallActivity) throw new Error(`unsupported action ${JSON.stringify(action)}`);
      const name = action.functionName!;
      const activity = options.activities[name];
      if (!activity) throw new Error(`no activity ${name}`);
      const input = JSON.parse(JSON.stringify(action.input ?? null)) as unknown;
      run.calls.push({ name, input });
      next.push(event(EVENT.TaskScheduled, { EventId: id, Name: name, Input: JSON.stringify(input) }));
      const activityContext = new InvocationContext({
        invocationId: `${options.instanceId}-${id}`,
        functionName: name,
        logHandler: (level, ...args) => run.logs.push(`${level}: ${args.map(String).join(' ')}`),
      });
      try {
        const result = await activity(input, activityContext);
        inbox.push(event(EVENT.TaskCompleted, { TaskScheduledId: id, Result: JSON.stringify(result ?? null) }));
      } catch (error) {
        const message = (error as { message?: string }).message ?? String(error);
        inbox.push(event(EVENT.TaskFailed, { TaskScheduledId: id, Reason: message, Details: String(error) }));
      }
    }
    if (inbox.length === 0 && fresh.length === 0) throw new Error('the orchestrator waits for nothing it scheduled');
    next.push(...inbox.splice(0, batchSize));
    history.push(event(EVENT.OrchestratorCompleted), ...next);
  }
  throw new Error('the orchestration did not finish within maxEpisodes');
}

function flatten(action: Action): Action[] {
  return action.actionType === ACTION.WhenAll || action.actionType === ACTION.WhenAny
    ? action.compoundActions!.flatMap(flatten)
    : [action];
}
