export function hello(x: number) {
	return x * 2;
}
