// A RunService for EasyStoreCreate's Services option that counts the driver's Heartbeat connections and frames.
import type { KitServer } from "../../kit";

export interface CountingRunService {
	/** Pass as `Services.RunService`. */
	readonly run: {
		Heartbeat: RBXScriptSignal<(dt: number) => void>;
		IsClient: () => boolean;
		IsStudio: () => boolean;
	};
	/** Connections made so far, connected now, and the most connected at once. */
	readonly counts: { connections: number; live: number; mostLive: number; frames: number };
}

/** Wraps the server's RunService.Heartbeat: every connection and every frame a handler ran on is counted. */
export function countingRunService(server: KitServer): CountingRunService {
	const realRun = server.game.GetService("RunService");
	const counts = { connections: 0, live: 0, mostLive: 0, frames: 0 };
	const heartbeat = {
		Connect(fn: (dt: number) => void) {
			counts.connections += 1;
			counts.live += 1;
			counts.mostLive = math.max(counts.mostLive, counts.live);
			const connection = realRun.Heartbeat.Connect(dt => {
				counts.frames += 1;
				fn(dt);
			});
			return {
				Connected: true,
				Disconnect() {
					if (connection.Connected) counts.live -= 1;
					connection.Disconnect();
				},
			};
		},
	} as unknown as RBXScriptSignal<(dt: number) => void>;
	return { run: { Heartbeat: heartbeat, IsClient: () => false, IsStudio: () => false }, counts };
}
