// The example place's server script: everything the game does lives in ExampleGame.
import { startExampleGame } from "./ExampleGame";

startExampleGame();
