// The library, as this example place reaches it. In your game this file does not exist: import from
// "@rbxts/session-locker" instead (this repository builds the example against its own source).
export * from "../../../src";
