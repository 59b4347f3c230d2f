import { baseImages, type BaseImage } from "./base-images.js";
import type { IdCounters } from "./plan-chain.js";
import { planRepository, type RepositoryPlan } from "./plan-repository.js";
import { Prng } from "./prng.js";
import type { SeedUserRow } from "./seed-rows.js";
import type { SeedOptions } from "./seed-options.js";

/** Every seeded user's e-mail ends so: how the seeder tells its own data from anyone else's. */
export const SEED_EMAIL_DOMAIN = "seed.invalid";
export const LIBRARY_NAMESPACE = "library";

const WORDS = [
  "acme",
  "orbit",
  "nimbus",
  "quartz",
  "tundra",
  "pixel",
  "harbor",
  "cobalt",
  "ember",
  "lumen",
  "vertex",
  "zephyr",
  "atlas",
  "delta",
  "fjord",
  "granite",
  "helix",
  "iris",
  "juniper",
  "kepler",
];
const REPO_WORDS = [
  "web",
  "api",
  "worker",
  "frontend",
  "backend",
  "db-migrate",
  "nginx",
  "redis-proxy",
  "scheduler",
  "auth",
  "billing",
  "search",
  "metrics",
  "gateway",
  "cron",
  "mailer",
  "cache",
  "ingest",
  "ml-train",
];

export interface DatasetPlan {
  readonly users: readonly SeedUserRow[];
  readonly bases: readonly BaseImage[];
  /** Repositories in id order, planned one at a time so memory stays bounded. */
  readonly repositories: () => Generator<RepositoryPlan>;
}

/** The dataset's namespaces and base images, and a lazy walk over its repositories. */
export function planDataset(options: SeedOptions): DatasetPlan {
  const users = planUsers(options);
  const bases = baseImages();
  return { users, bases, repositories: () => planRepositories(options, users, bases) };
}

function planUsers(options: SeedOptions): SeedUserRow[] {
  const prng = Prng.derive(options.seed, "namespaces");
  const count = Math.min(10_000, Math.max(5, Math.ceil(options.tags / 120)));
  const users: SeedUserRow[] = [];
  for (let i = 0; i < count; i++) {
    const username = i === 0 ? LIBRARY_NAMESPACE : `${prng.pick(WORDS)}${i}`;
    const created = Date.UTC(2014, 0, 1) + prng.int(0, 4 * 365) * 86_400_000;
    users.push({
      id: options.idOffsets.user + i + 1,
      uuid: prng.uuid(),
      username,
      email: `${username}@${SEED_EMAIL_DOMAIN}`,
      organization: i === 0 || prng.chance(0.35),
      creationDate: new Date(created).toISOString().replace("T", " ").slice(0, 19),
    });
  }
  return users;
}

function* planRepositories(
  options: SeedOptions,
  users: readonly SeedUserRow[],
  bases: readonly BaseImage[],
): Generator<RepositoryPlan> {
  const prng = Prng.derive(options.seed, "repositories");
  const offsets = options.idOffsets;
  const baseLayerCount = bases.reduce((n, b) => n + b.layers.length, 0);
  const ids: IdCounters = {
    image: offsets.image,
    storage: offsets.imagestorage + baseLayerCount,
    tag: offsets.repositorytag,
    tagManifest: offsets.tagmanifest,
    label: offsets.label,
    tagManifestLabel: offsets.tagmanifestlabel,
  };
  const taken = new Map<number, Set<string>>();
  const weights = bases.reduce((n, b) => n + b.weight, 0);
  const pickBase = (): BaseImage => {
    let u = prng.next() * weights;
    for (const base of bases) if ((u -= base.weight) < 0) return base;
    return bases[0] as BaseImage;
  };
  let remaining = options.tags;
  for (let index = 0; remaining > 0; index++) {
    const size = prng.chance(0.02) ? prng.int(100, 800) : 1 + Math.floor(prng.exponential(18));
    const tagCount = Math.min(remaining, size);
    remaining -= tagCount;
    const user = (prng.chance(0.08) ? users[0] : prng.pick(users.slice(1))) as SeedUserRow;
    const names = taken.get(user.id) ?? new Set<string>();
    taken.set(user.id, names);
    const first = pickBase();
    const repoBases = prng.chance(0.2)
      ? [first, pickBase()].filter((b, i, a) => a.indexOf(b) === i)
      : [first];
    let name = user.username === LIBRARY_NAMESPACE ? first.name : prng.pick(REPO_WORDS);
    for (let n = 2; names.has(name); n++) name = `${name.replace(/-\d+$/, "")}-${n}`;
    names.add(name);
    yield planRepository(
      options,
      {
        index,
        id: offsets.repository + index + 1,
        namespaceUserId: user.id,
        namespace: user.username,
        name,
        tagCount,
        bases: repoBases,
      },
      ids,
      offsets.imagestorage,
    );
  }
}
