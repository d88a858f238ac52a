import * as z from 'zod/mini';
import {
  assistantId,
  E164_PATTERN,
  language,
  openRange,
  publicUrl,
  speech,
  timeZone,
  transferTarget,
  variableName,
  voice,
} from './plan-rules.js';

/** The largest plan document accepted, in bytes of its JSON text. */
export const MAX_PLAN_BYTES = 16 * 1024;
/** The one schema version this code reads. */
export const PLAN_SCHEMA_VERSION = 1;

const say = z.strictObject({ say: speech });

const answer = z.strictObject({ type: z.literal('answer') });
const transfer = z.strictObject({
  type: z.literal('transfer'),
  to: transferTarget,
  timeoutSecs: z.optional(
    z
      .int()
      .check(
        z.minimum(5, { error: 'must be 5 to 120 seconds' }),
        z.maximum(120, { error: 'must be 5 to 120 seconds' }),
      ),
  ),
  callerId: z.optional(
    z.union(
      [
        z.enum(['did', 'caller']),
        z
          .string()
          .check(z.regex(E164_PATTERN, { error: 'must be "did", "caller" or an E.164 number' })),
      ],
      {
        error: 'must be "did", "caller" or an E.164 number',
      },
    ),
  ),
  onFailure: z.optional(say),
});
const stream = z.strictObject({
  type: z.literal('stream'),
  url: publicUrl('wss'),
  track: z.optional(z.enum(['inbound_track', 'outbound_track', 'both_tracks'])),
});
const aiAssistant = z.strictObject({
  type: z.literal('ai_assistant'),
  assistantId,
  dynamicVariables: z.optional(
    z.record(
      variableName,
      z.union([z.string().check(z.maxLength(1000)), z.number(), z.boolean()], {
        error: 'must be a string (at most 1000 characters), a number or a boolean',
      }),
    ),
  ),
});
const hangup = z.strictObject({ type: z.literal('hangup'), say: speech });

const onAdmit = z.discriminatedUnion('type', [answer, transfer, stream, aiAssistant, hangup], {
  error: 'must be one of answer, transfer, stream, ai_assistant, hangup (field "type")',
});

const greeting = z.union(
  [z.strictObject({ text: speech }), z.strictObject({ audioUrl: publicUrl('https') })],
  { error: 'must be {"text": "..."} or {"audioUrl": "https://..."}' },
);

const day = z.optional(z.array(openRange).check(z.maxLength(12)));
const hours = z.strictObject({
  timezone: timeZone,
  weekly: z.strictObject({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day }),
  closed: say,
});

const deny = z.strictObject({
  mode: z.optional(z.enum(['speak', 'reject'])),
  voice: z.optional(voice),
  language: z.optional(language),
  messages: z.optional(
    z.strictObject({ at_capacity: z.optional(speech), unavailable: z.optional(speech) }),
  ),
});

const locale = z.strictObject({ voice: z.optional(voice), language: z.optional(language) });

/**
 * A tenant's call plan (`tenantcfg`, schema version 1). Strict at every level, so a misspelt
 * key is an error rather than a silently ignored setting. `parsePlan` adds the checks that
 * span the document (size, secrets, the key's tenant).
 */
export const tenantPlanSchema = z.strictObject({
  $schema: z.optional(z.string()),
  schemaVersion: z.literal(PLAN_SCHEMA_VERSION, {
    error: `must be ${PLAN_SCHEMA_VERSION} (the version this service reads)`,
  }),
  tenantId: z
    .string()
    .check(z.regex(/^[^:\s]+$/, { error: "must be a tenant id without ':' or whitespace" })),
  revision: z
    .int()
    .check(
      z.positive({ error: 'must be a positive integer' }),
      z.maximum(Number.MAX_SAFE_INTEGER, { error: 'must be a positive integer' }),
    ),
  onAdmit,
  greeting: z.optional(greeting),
  hours: z.optional(hours),
  deny: z.optional(deny),
  locale: z.optional(locale),
});

/** A validated tenant plan. */
export type TenantPlan = z.infer<typeof tenantPlanSchema>;
/** What an admitted call does. */
export type OnAdmit = TenantPlan['onAdmit'];
/** Opening hours of a plan. */
export type PlanHours = NonNullable<TenantPlan['hours']>;
