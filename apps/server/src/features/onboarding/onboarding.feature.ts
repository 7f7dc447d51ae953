import { defineFeature, ownTables } from '../../feature.ts';
import type { PlatformTables } from '../../platform/database/database.types.ts';
import type { ErrorCatalogue } from '../../platform/errors/error-codes.ts';
import { createOnboardingRepository } from './onboarding.repository.ts';
import { registerOnboardingRoutes } from './onboarding.routes.ts';
import { createOnboardingService, type OnboardingService } from './onboarding.service.ts';

export const onboardingErrorCodes = {
  setup_already_done: { status: 409, summary: 'The owner account already exists; setup runs only once.' },
} as const satisfies ErrorCatalogue;

declare module '../../feature.ts' { interface SteadServices { onboarding: OnboardingService } }

/** First-run setup of the owner account, and sign-up through an invitation. */
export const onboardingFeature = defineFeature({
  name: 'onboarding',
  // Its one record (the setup claim) is a platform setting in `steadMeta`: no table of its own.
  tables: ownTables<PlatformTables>(),
  errorCodes: onboardingErrorCodes,
  create: ({ db, services, clock }) => createOnboardingService({ repository: createOnboardingRepository(db), auth: services.auth, workspaces: services.workspaces, clock }),
  routes: (app, { services, loginRateLimit }) => registerOnboardingRoutes(app, { onboarding: services.onboarding, loginRateLimit }),
});
