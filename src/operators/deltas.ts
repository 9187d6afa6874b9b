// Internal: the shared shape of textDeltas / transcriptDeltas / audioDeltas.
import { filter, map, type OperatorFunction } from 'rxjs';
import { isEvent, type NeutralEventName, type NeutralEvents, type ServerMessage } from '../protocol';

export const deltasOf =
  <K extends NeutralEventName, R>(
    name: K,
    project: (event: NeutralEvents[K]) => R,
  ): OperatorFunction<ServerMessage, R> =>
  (source) =>
    source.pipe(
      filter((e): e is NeutralEvents[K] & ServerMessage => isEvent(e, name)),
      map(project),
    );
