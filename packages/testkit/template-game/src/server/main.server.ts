import { makeHello } from "shared/module";

print(makeHello("main.server.ts"));
