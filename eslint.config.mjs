// ESLint flat config: typescript-eslint + eslint-plugin-roblox-ts (the roblox-ts stack), Prettier as a rule.
import tseslint from "typescript-eslint";
import roblox from "eslint-plugin-roblox-ts";
import prettierRecommended from "eslint-plugin-prettier/recommended";

export default tseslint.config(
	{
		ignores: ["out/**", "out-test/**", "out-examples/**", "include/**", "node_modules/**", "**/*.d.ts", "**/*.mjs", "**/*.js"],
	},
	{
		files: ["src/**/*.ts", "test/**/*.ts", "examples/**/*.ts"],
		extends: [...tseslint.configs.recommended, roblox.configs.tsRecommendedCompat, roblox.configs.recommended],
		languageOptions: {
			parserOptions: {
				projectService: false,
				project: ["./tsconfig.test.json", "./examples/tsconfig.json"],
				tsconfigRootDir: import.meta.dirname,
			},
		},
		rules: {
			"@typescript-eslint/array-type": ["error", { default: "generic", readonly: "generic" }],
			"@typescript-eslint/no-floating-promises": ["error", { ignoreVoid: true }],
			"prefer-const": "error",
			// The seed API returns multiple values (MigratorBuilder:Build() → Migrators, Patchers), which Luau users
			// call as a tuple; LuaTuple is how roblox-ts expresses that.
			"roblox-ts/no-user-defined-lua-tuple": "off",
		},
	},
	prettierRecommended,
);
