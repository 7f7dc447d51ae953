import { describe, expect, it } from 'vitest';
import type { Schedule } from '@/lib/api.ts';
import { createScheduleRequest, datetimeLocalToIso, isoToDatetimeLocal, newScheduleFormValues, previewQueryOf, sameTrigger, ScheduleFormError, scheduleErrorField, scheduleToFormValues, splitInterval, triggerFromForm, updateScheduleRequest, type ScheduleFormValues } from '@/features/schedules/schedule-form.ts';
import { describeCronExpression, describeInterval, describeTrigger, joinWords, ordinal } from '@/features/schedules/schedule-trigger.ts';
import { formatFireTime, formatFromNow, refreshDelayMs, timeZoneOptions } from '@/features/schedules/schedules.ts';

function schedule(overrides: Partial<Schedule> = {}): Schedule {
  return {
    id: 's1',
    workspaceId: 'w1',
    name: 'Health check',
    kind: 'http.request',
    input: { method: 'GET', url: 'https://example.com/' },
    trigger: { type: 'cron', expression: '30 9 * * 1-5', timeZone: 'Europe/Berlin' },
    missedPolicy: 'skip',
    enabled: true,
    nextFireAt: '2026-03-05T08:30:00.000Z',
    nextFireTimes: ['2026-03-05T08:30:00.000Z'],
    lastFiredAt: null,
    createdBy: 'u1',
    createdAt: '2026-03-04T10:00:00.000Z',
    updatedAt: '2026-03-04T10:00:00.000Z',
    ...overrides,
  };
}

const now = Date.parse('2026-03-04T10:00:00.000Z');

function form(overrides: Partial<ScheduleFormValues> = {}): ScheduleFormValues {
  return {
    ...newScheduleFormValues({ kind: 'http.request', input: '{"url":"https://example.com/"}', timeZone: 'Europe/Berlin', now }),
    name: 'Health check',
    ...overrides,
  };
}

describe('describeCronExpression', () => {
  it.each([
    ['30 9 * * 1-5', 'Every weekday at 09:30'],
    ['30 9 * * MON-FRI', 'Every weekday at 09:30'],
    ['0 0 * * *', 'Every day at 00:00'],
    ['@daily', 'Every day at 00:00'],
    ['@hourly', 'Every hour'],
    ['@weekly', 'Every Sunday at 00:00'],
    ['* * * * *', 'Every minute'],
    ['*/5 * * * *', 'Every 5 minutes'],
    ['0/15 * * * *', 'Every 15 minutes'],
    ['15 * * * *', 'Every hour at :15'],
    ['0,30 * * * *', 'Every hour at :00 and :30'],
    ['0 */2 * * *', 'Every 2 hours'],
    ['0 9,17 * * *', 'Every day at 09:00 and 17:00'],
    ['0 9 * * 1,3,5', 'Every Monday, Wednesday and Friday at 09:00'],
    ['0 10 * * 6,0', 'Every Saturday and Sunday at 10:00'],
    ['0 10 * * 7', 'Every Sunday at 10:00'],
    ['0 0 1 * *', 'On the 1st of every month at 00:00'],
    ['0 6 1,15 * *', 'On the 1st and 15th of every month at 06:00'],
    ['0 0 1 1 *', 'On the 1st of January at 00:00'],
    ['0 12 * 7,8 *', 'Every day in July and August at 12:00'],
    ['*/15 9-17 * * 1-5', 'Every 15 minutes between 09:00 and 17:59, on weekdays'],
    ['0,30 9-17 * * *', 'Every hour at :00 and :30 between 09:00 and 17:59'],
    ['*/10 * * * * *', 'Every 10 seconds'],
    ['* * * * * *', 'Every second'],
    ['15 30 9 * * *', 'Every day at 09:30:15'],
    ['0 30 9 * * 1-5', 'Every weekday at 09:30'],
  ])('%s → %s', (expression, words) => {
    expect(describeCronExpression(expression)).toBe(words);
  });

  it.each(['0 0 L * *', '0 0 1 * 1', '0 0 * * 5#3', 'bad', '61 9 * * *', '0 9 * * 5-1', '1 2 3'])('leaves %s to the expression itself', (expression) => {
    expect(describeCronExpression(expression)).toBeNull();
  });
});

describe('describeInterval', () => {
  it.each([
    [1, 'Every second'],
    [2, 'Every 2 seconds'],
    [90, 'Every 90 seconds'],
    [60, 'Every minute'],
    [300, 'Every 5 minutes'],
    [3_600, 'Every hour'],
    [5_400, 'Every 90 minutes'],
    [86_400, 'Every day'],
    [604_800, 'Every week'],
    [1_209_600, 'Every 2 weeks'],
  ])('%i s → %s', (seconds, words) => {
    expect(describeInterval(seconds)).toBe(words);
  });
});

describe('describeTrigger', () => {
  it('names the time zone of a cron trigger, UTC when left out', () => {
    expect(describeTrigger({ type: 'cron', expression: '30 9 * * 1-5', timeZone: 'Europe/Berlin' })).toBe('Every weekday at 09:30 (Europe/Berlin)');
    expect(describeTrigger({ type: 'cron', expression: '0 0 1 * *' })).toBe('On the 1st of every month at 00:00 (UTC)');
  });

  it('shows an expression too unusual for words as it is', () => {
    expect(describeTrigger({ type: 'cron', expression: ' 0 0  L * * ', timeZone: 'UTC' })).toBe('Cron 0 0  L * * (UTC)');
  });

  it('describes intervals and one-off times', () => {
    expect(describeTrigger({ type: 'interval', seconds: 300 })).toBe('Every 5 minutes');
    expect(describeTrigger({ type: 'once', at: '2026-12-03T14:00:00.000Z' }, (iso) => `<${iso}>`)).toBe('Once at <2026-12-03T14:00:00.000Z>');
  });
});

describe('words', () => {
  it('joins lists and writes ordinals', () => {
    expect(joinWords([])).toBe('');
    expect(joinWords(['a'])).toBe('a');
    expect(joinWords(['a', 'b'])).toBe('a and b');
    expect(joinWords(['a', 'b', 'c'])).toBe('a, b and c');
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '31st']);
  });
});

describe('datetime-local values', () => {
  it('reads them in the browser zone and writes them back', () => {
    const iso = datetimeLocalToIso('2026-03-04T09:30');
    expect(iso).toBe(new Date(2026, 2, 4, 9, 30).toISOString());
    expect(isoToDatetimeLocal(iso!)).toBe('2026-03-04T09:30');
    expect(datetimeLocalToIso('2026-03-04T09:30:15')).toBe(new Date(2026, 2, 4, 9, 30, 15).toISOString());
  });

  it('refuses incomplete and impossible dates', () => {
    expect(datetimeLocalToIso('')).toBeNull();
    expect(datetimeLocalToIso('2026-03-04')).toBeNull();
    expect(datetimeLocalToIso('2026-02-31T10:00')).toBeNull();
    expect(isoToDatetimeLocal('not a date')).toBe('');
  });
});

describe('triggerFromForm', () => {
  it('maps a cron expression, tidying its spaces', () => {
    expect(triggerFromForm(form({ triggerType: 'cron', expression: '  30  9 * * 1-5 ', timeZone: 'Europe/Berlin' }))).toEqual({
      ok: true,
      trigger: { type: 'cron', expression: '30 9 * * 1-5', timeZone: 'Europe/Berlin' },
    });
    expect(triggerFromForm(form({ triggerType: 'cron', expression: ' ' }))).toMatchObject({ ok: false, field: 'expression' });
    expect(triggerFromForm(form({ triggerType: 'cron', timeZone: '' }))).toMatchObject({ ok: false, field: 'timeZone' });
  });

  it('turns an interval in any unit into whole seconds', () => {
    const interval = (intervalValue: string, intervalUnit: ScheduleFormValues['intervalUnit']) => triggerFromForm(form({ triggerType: 'interval', intervalValue, intervalUnit }));
    expect(interval('2', 'seconds')).toEqual({ ok: true, trigger: { type: 'interval', seconds: 2 } });
    expect(interval('5', 'minutes')).toEqual({ ok: true, trigger: { type: 'interval', seconds: 300 } });
    expect(interval('1.5', 'hours')).toEqual({ ok: true, trigger: { type: 'interval', seconds: 5_400 } });
    expect(interval('0.1', 'minutes')).toEqual({ ok: true, trigger: { type: 'interval', seconds: 6 } });
    expect(interval('366', 'days')).toEqual({ ok: true, trigger: { type: 'interval', seconds: 366 * 86_400 } });
    for (const [value, unit] of [['', 'seconds'], ['0', 'minutes'], ['-1', 'hours'], ['abc', 'seconds'], ['0.5', 'seconds'], ['367', 'days']] as const) {
      expect(interval(value, unit)).toMatchObject({ ok: false, field: 'intervalValue' });
    }
  });

  it('reads a one-off time in the browser zone', () => {
    expect(triggerFromForm(form({ triggerType: 'once', at: '2026-12-03T14:00' }))).toEqual({
      ok: true,
      trigger: { type: 'once', at: new Date(2026, 11, 3, 14, 0).toISOString() },
    });
    expect(triggerFromForm(form({ triggerType: 'once', at: '' }))).toMatchObject({ ok: false, field: 'at' });
  });
});

describe('previewQueryOf', () => {
  it('flattens a trigger into the preview query', () => {
    expect(previewQueryOf({ type: 'cron', expression: '0 9 * * *', timeZone: 'Asia/Tokyo' })).toEqual({ type: 'cron', expression: '0 9 * * *', timeZone: 'Asia/Tokyo', count: 5 });
    expect(previewQueryOf({ type: 'cron', expression: '0 9 * * *' }, 3)).toEqual({ type: 'cron', expression: '0 9 * * *', timeZone: 'UTC', count: 3 });
    expect(previewQueryOf({ type: 'interval', seconds: 2 })).toEqual({ type: 'interval', seconds: 2, count: 5 });
    expect(previewQueryOf({ type: 'once', at: '2026-12-03T14:00:00.000Z' })).toEqual({ type: 'once', at: '2026-12-03T14:00:00.000Z', count: 5 });
  });
});

describe('sameTrigger', () => {
  it('compares what fires, not how it is written', () => {
    expect(sameTrigger({ type: 'cron', expression: '0  9 * * *' }, { type: 'cron', expression: '0 9 * * *', timeZone: 'UTC' })).toBe(true);
    expect(sameTrigger({ type: 'cron', expression: '0 9 * * *', timeZone: 'Europe/Berlin' }, { type: 'cron', expression: '0 9 * * *', timeZone: 'UTC' })).toBe(false);
    expect(sameTrigger({ type: 'interval', seconds: 60 }, { type: 'interval', seconds: 60 })).toBe(true);
    expect(sameTrigger({ type: 'once', at: '2026-12-03T14:00:00Z' }, { type: 'once', at: '2026-12-03T14:00:00.000Z' })).toBe(true);
    expect(sameTrigger({ type: 'interval', seconds: 60 }, { type: 'cron', expression: '* * * * *' })).toBe(false);
  });
});

describe('createScheduleRequest', () => {
  it('maps the form to the request', () => {
    const values = form({ name: '  Ping  ', triggerType: 'interval', intervalValue: '2', intervalUnit: 'seconds', missedPolicy: 'run-once' });
    expect(createScheduleRequest(values)).toEqual({
      name: 'Ping',
      kind: 'http.request',
      input: { url: 'https://example.com/' },
      trigger: { type: 'interval', seconds: 2 },
      missedPolicy: 'run-once',
    });
  });

  it('names the field that stops it', () => {
    const badInput = (() => {
      try {
        createScheduleRequest(form({ input: '{oops' }));
      } catch (error) {
        return error;
      }
    })();
    expect(badInput).toBeInstanceOf(ScheduleFormError);
    expect(badInput).toMatchObject({ field: 'input' });
    expect(() => createScheduleRequest(form({ triggerType: 'once', at: '' }))).toThrow(ScheduleFormError);
  });
});

describe('editing', () => {
  const options = { timeZone: 'America/New_York', now };

  it('fills the form from a schedule, each trigger type in its own fields', () => {
    expect(scheduleToFormValues(schedule(), options)).toMatchObject({
      name: 'Health check',
      kind: 'http.request',
      triggerType: 'cron',
      expression: '30 9 * * 1-5',
      timeZone: 'Europe/Berlin',
      missedPolicy: 'skip',
    });
    expect(JSON.parse(scheduleToFormValues(schedule(), options).input)).toEqual({ method: 'GET', url: 'https://example.com/' });
    expect(scheduleToFormValues(schedule({ trigger: { type: 'interval', seconds: 7_200 } }), options)).toMatchObject({ triggerType: 'interval', intervalValue: '2', intervalUnit: 'hours', timeZone: 'America/New_York' });
    expect(scheduleToFormValues(schedule({ trigger: { type: 'once', at: new Date(2026, 11, 3, 14, 0).toISOString() } }), options)).toMatchObject({ triggerType: 'once', at: '2026-12-03T14:00' });
  });

  it('sends nothing when nothing changed, even a one-off time that has passed', () => {
    for (const trigger of [schedule().trigger, { type: 'interval', seconds: 90 }, { type: 'once', at: '2020-01-01T00:00:00.000Z' }] as const) {
      const saved = schedule({ trigger });
      expect(updateScheduleRequest(saved, scheduleToFormValues(saved, options))).toEqual({});
    }
  });

  it('sends only what changed', () => {
    const saved = schedule();
    const values = scheduleToFormValues(saved, options);
    expect(updateScheduleRequest(saved, { ...values, name: 'Renamed ' })).toEqual({ name: 'Renamed' });
    expect(updateScheduleRequest(saved, { ...values, expression: '0 8 * * 1-5' })).toEqual({ trigger: { type: 'cron', expression: '0 8 * * 1-5', timeZone: 'Europe/Berlin' } });
    expect(updateScheduleRequest(saved, { ...values, triggerType: 'interval', intervalValue: '10', intervalUnit: 'minutes' })).toEqual({ trigger: { type: 'interval', seconds: 600 } });
    expect(updateScheduleRequest(saved, { ...values, missedPolicy: 'run-once' })).toEqual({ missedPolicy: 'run-once' });
    expect(updateScheduleRequest(saved, { ...values, input: '{"url":"https://example.org/"}' })).toEqual({ input: { url: 'https://example.org/' } });
    // A new kind is checked with its input, so the input travels along.
    expect(updateScheduleRequest(saved, { ...values, kind: 'webhook.deliver' })).toEqual({ kind: 'webhook.deliver', input: saved.input });
  });
});

describe('splitInterval', () => {
  it('picks the largest whole unit', () => {
    expect(splitInterval(2)).toEqual({ intervalValue: '2', intervalUnit: 'seconds' });
    expect(splitInterval(90)).toEqual({ intervalValue: '90', intervalUnit: 'seconds' });
    expect(splitInterval(300)).toEqual({ intervalValue: '5', intervalUnit: 'minutes' });
    expect(splitInterval(5_400)).toEqual({ intervalValue: '90', intervalUnit: 'minutes' });
    expect(splitInterval(172_800)).toEqual({ intervalValue: '2', intervalUnit: 'days' });
  });
});

describe('scheduleErrorField', () => {
  it('puts the server messages under the field they are about', () => {
    expect(scheduleErrorField('schedule_invalid', 'Invalid cron expression "61 9 * * 1-5": Invalid value for minute: 61', 'cron')).toBe('expression');
    expect(scheduleErrorField('schedule_invalid', 'Unknown time zone "Mars/Base"; use an IANA name such as UTC or Europe/Berlin', 'cron')).toBe('timeZone');
    expect(scheduleErrorField('schedule_invalid', 'The one-off time 2020-01-01T00:00:00.000Z has passed', 'once')).toBe('at');
    expect(scheduleErrorField('schedule_invalid', 'The interval must be a whole number of seconds, at least 1', 'interval')).toBe('intervalValue');
    expect(scheduleErrorField('validation_failed', 'body.name: must not be empty', 'cron')).toBe('name');
    expect(scheduleErrorField('validation_failed', 'body.trigger.seconds: Too small: expected number to be >=1', 'interval')).toBe('intervalValue');
    expect(scheduleErrorField('validation_failed', 'Invalid input for http.request: input.url: must be an http:// or https:// URL', 'cron')).toBe('input');
    expect(scheduleErrorField('task_kind_unknown', 'No task kind is called http.nope', 'cron')).toBe('kind');
    expect(scheduleErrorField('forbidden', 'You may not', 'cron')).toBeNull();
  });
});

describe('time zones and times', () => {
  it('lists the supported zones with UTC and the ones in use, sorted, each once', () => {
    expect(timeZoneOptions(['Europe/Berlin', ''], () => ['Europe/Berlin', 'Asia/Tokyo'])).toEqual(['Asia/Tokyo', 'Europe/Berlin', 'UTC']);
    expect(
      timeZoneOptions(['Etc/Old'], () => {
        throw new RangeError('not supported');
      }),
    ).toEqual(['Etc/Old', 'UTC']);
  });

  it('shows a fire time in the schedule zone too when it differs', () => {
    const time = '2026-03-05T08:30:00.000Z';
    const same = formatFireTime(time, { scheduleZone: 'Europe/Berlin', viewerZone: 'Europe/Berlin', locale: 'en-GB' });
    expect(same.inZone).toBeNull();
    expect(same.local).toBe('Thu, 5 Mar 2026, 9:30:00');
    const other = formatFireTime(time, { scheduleZone: 'Europe/Berlin', viewerZone: 'America/New_York', locale: 'en-GB' });
    expect(other.local).toBe('Thu, 5 Mar 2026, 3:30:00');
    expect(other.inZone).toMatch(/^0?9:30 \S+ in Europe\/Berlin$/);
  });

  it('says how far away a time is, to the second', () => {
    expect(formatFromNow('2026-03-04T10:00:02.000Z', now)).toBe('in 2 seconds');
    expect(formatFromNow('2026-03-04T10:00:00.200Z', now)).toBe('now');
    expect(formatFromNow('2026-03-04T10:05:00.000Z', now)).toBe('in 5 minutes');
    expect(formatFromNow('2026-03-04T08:00:00.000Z', now)).toBe('2 hours ago');
    expect(formatFromNow('nope', now)).toBe('');
  });

  it('asks again a moment after the next fire, within bounds', () => {
    expect(refreshDelayMs(null, now)).toBeNull();
    expect(refreshDelayMs('2026-03-04T10:00:02.000Z', now)).toBe(3_500);
    expect(refreshDelayMs('2026-03-04T09:59:59.000Z', now)).toBe(1_000);
    expect(refreshDelayMs('2026-03-04T11:00:00.000Z', now)).toBe(60_000);
    // Long overdue: no scheduler runs, and asking every second would not change that.
    expect(refreshDelayMs('2026-03-04T09:59:00.000Z', now)).toBeNull();
  });
});
