/**
 * A route is one entry of a route table (shared/api.ts ROUTES, shared/routes.ts RouteDef) and one
 * handler in the API's table of handlers (functions/src/http/api.ts PLAN_HANDLERS); the URL, the
 * path matching and the reading of its input follow from the entry. A place that must say something
 * about a new route and does not fails to compile: these tests plant each such mistake in a scratch
 * copy, type-check it as `npm run typecheck` does, and expect the refusal where it was made — then
 * make the complete change and expect it to compile.
 */
import { describe, expect, it } from 'vitest';
import { plant, typecheck, useScratchCopies } from '../support/scratch';

const scratchCopy = useScratchCopies('routes');

/** shared/ and what the API's module imports, checked from that module (dynamic imports included). */
const scratch = () =>
  scratchCopy(['shared', 'adapters', 'functions/src'], 'tsconfig.json', ['functions/src/http/api.ts']);

const TABLE = 'export const ROUTES = {';
const HANDLERS = 'const PLAN_HANDLERS: PlanHandlers = {';
/** A route of the table as `name`; without a hint, its body would be refused saying nothing. */
const route = (name: string, hint = "hint: ['需要 email', 'needs email'], ") =>
  `  ${name}: { method: 'POST', path: '${name}', body: RevokeRequest, ${hint}status: 200, answer: RevokeResponse, writes: true },`;

/** The verdict on the server with the route `archive` in the table, answered by `handler` of `module` if given. */
function withArchive(module?: string, handler?: string) {
  const dir = scratch();
  plant(dir, 'shared/api.ts', TABLE, route('archive'));
  if (module && handler)
    plant(
      dir,
      'functions/src/http/api.ts',
      HANDLERS,
      `  archive: async () => (await import('${module}')).${handler},`,
    );
  return typecheck(dir);
}

describe('a new plan route', () => {
  it('with a body but no sentence for its refusal does not compile', () => {
    const dir = scratchCopy(['shared'], 'shared/tsconfig.json', ['shared']);
    plant(dir, 'shared/api.ts', TABLE, route('mute', ''));
    const { status, errors } = typecheck(dir);
    expect(status).not.toBe(0);
    expect(errors.filter((line) => line.startsWith('shared/api.ts') && line.includes('"mute"'))).not.toEqual(
      [],
    );
  }, 240_000);

  it('without a handler does not compile', () => {
    const { status, errors } = withArchive();
    expect(status).not.toBe(0);
    expect(
      errors.filter((line) => line.includes("Property 'archive' is missing")),
      errors.join('\n'),
    ).toEqual([expect.stringMatching(/^functions\/src\/http\/api\.ts/)]);
  }, 240_000);

  it("with another route's handler does not compile: it would be handed an input of another shape", () => {
    const { status, errors } = withArchive('./ledger', 'requestLedger');
    expect(status).not.toBe(0);
    expect(errors, errors.join('\n')).toEqual([
      expect.stringMatching(/^functions\/src\/http\/api\.ts.*PlanCall<"ledger"/),
    ]);
  }, 240_000);

  it('compiles once the table says it, with its hint, and a handler of its own takes it', () => {
    const { status, errors } = withArchive('./requests', 'revokeRequestLinks');
    expect(errors).toEqual([]);
    expect(status).toBe(0);
  }, 240_000);
});
