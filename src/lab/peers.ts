// The lab's optional peer dependencies (Observable Plot, linkedom, resvg, mnist, TF.js). They are not
// installed with descent-optim, so a missing one must be answered with the install line, not a
// module-not-found trace from deep inside the lab.

/** A lab feature was used without the optional package(s) it needs; the message says what to install. */
export class MissingPeerError extends Error {
  override name = "MissingPeerError";
  readonly packages: readonly string[];

  constructor(feature: string, packages: readonly string[]) {
    const names =
      packages.length < 3
        ? packages.join(" and ")
        : `${packages.slice(0, -1).join(", ")} and ${packages.at(-1)}`;
    super(`${feature} needs ${names}: npm i ${packages.join(" ")}`);
    this.packages = packages;
  }
}

/** True when `error` says that `specifier` itself (not something it imports) cannot be found. */
export function isMissingPackage(error: unknown, specifier: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    typeof message === "string" &&
    (message.includes(`'${specifier}'`) || message.includes(`"${specifier}"`))
  );
}

/** For `import(specifier).catch(absentAs(specifier))`: undefined when the package is not installed. */
export function absentAs(specifier: string): (error: unknown) => undefined {
  return (error) => {
    if (isMissingPackage(error, specifier)) return undefined;
    throw error;
  };
}

/**
 * `loaded` when the package was found; otherwise a stand-in that throws MissingPeerError on first use, so
 * the parts of the lab that do not need the package keep working without it.
 */
export function peerOrStandIn<T extends object>(
  loaded: T | undefined,
  feature: string,
  packages: () => readonly string[],
): T {
  if (loaded !== undefined) return loaded;
  const fail = (): never => {
    throw new MissingPeerError(feature, packages());
  };
  return new Proxy({} as T, { get: fail, has: fail, apply: fail });
}
