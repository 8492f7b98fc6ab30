/**
 * Loads an optional dependency (a database driver) only when the flag that needs it is used, so
 * that `npm start` and every other set-up never install or load it.
 */

/** An optional dependency was asked for but is not installed. */
export class MissingDependencyError extends Error {
  override name = 'MissingDependencyError';
}

/**
 * Imports `name`, or throws a {@link MissingDependencyError} that says which flag needs it and
 * how to install it.
 */
export async function loadOptional<T>(name: string, neededBy: string, install: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new MissingDependencyError(
        `${neededBy} needs the package "${name}", which is not installed. Install it next to the server: npm install ${install}`,
      );
    throw error;
  }
}
