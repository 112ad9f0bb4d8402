/**
 * zod's English messages for the schemas in core. core uses the tree-shakable `zod/mini` build: full
 * zod put 443 KiB into each handler bundle (two thirds of it) for two schemas, and the same checks
 * from `zod/mini` are a few tens of KiB. `zod` installs its English messages when imported;
 * `zod/mini` leaves that to the caller, so every module with a schema imports this one first.
 * (Import `zod/mini` as a namespace in the module that uses it: a re-exported namespace cannot be
 * tree-shaken.)
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());
