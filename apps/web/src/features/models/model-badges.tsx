import { Badge } from '@/components/ui/badge.tsx';
import type { Locality, Model, ModelCapability } from '@/lib/api.ts';
import { breakerLabels, breakerVariants, formatRelativeShort } from '@/features/models/models.ts';

/** Why the controls of a declared (config-as-code) entry are disabled. */
export const DECLARED_HINT = 'Declared in stead.config.yaml; edit it there';

/** Marks a provider, alias or route rule declared in stead.config.yaml: read-only in the dashboard. */
export function DeclaredBadge() {
  return (
    <Badge variant="outline" className="font-mono font-normal text-muted-foreground" title={DECLARED_HINT}>
      stead.config.yaml
    </Badge>
  );
}

/** Local providers may serve private data; hosted ones never do. */
export function LocalityBadge({ locality }: { locality: Locality }) {
  return (
    <Badge variant={locality === 'local' ? 'success' : 'outline'} title={locality === 'local' ? 'May serve private data' : 'Never serves private data'}>
      {locality}
    </Badge>
  );
}

export function CapabilityChips({ capabilities }: { capabilities: readonly ModelCapability[] }) {
  return (
    <span className="flex flex-wrap gap-1">
      {capabilities.map((capability) => (
        <Badge key={capability} variant="secondary" className="font-normal">
          {capability}
        </Badge>
      ))}
    </span>
  );
}

/** The circuit breaker: healthy (closed), probing (half-open) or open until its cooldown ends. */
export function BreakerBadge({ health, now }: { health: Model['health']; now: number }) {
  const retry = health.breaker !== 'closed' && health.retryAt ? formatRelativeShort(health.retryAt, now) : null;
  return (
    <span className="inline-flex flex-col items-start gap-0.5">
      <Badge variant={breakerVariants[health.breaker]} title={`Circuit breaker ${health.breaker}`}>
        {breakerLabels[health.breaker]}
      </Badge>
      {retry ? <span className="text-xs text-muted-foreground">retry {retry}</span> : null}
      {health.breaker === 'closed' && health.consecutiveFailures > 0 ? (
        <span className="text-xs text-muted-foreground">
          {health.consecutiveFailures} failure{health.consecutiveFailures === 1 ? '' : 's'} in a row
        </span>
      ) : null}
    </span>
  );
}
