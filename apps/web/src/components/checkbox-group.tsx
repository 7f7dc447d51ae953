import { toggleValue } from '@/lib/utils.ts';

/** A labelled group of checkboxes choosing a subset of `options`; the chosen values keep the options' order. */
export function CheckboxGroup<T extends string>({ legend, hint, error, options, values, onChange }: { legend: string; hint?: string; error?: string | undefined; options: readonly T[]; values: readonly T[]; onChange: (values: T[]) => void }) {
  return (
    <fieldset className="grid min-w-0 gap-2">
      <legend className="mb-2 text-sm font-medium">{legend}</legend>
      <div className="flex flex-wrap gap-x-4 gap-y-2">
        {options.map((option) => (
          <label key={option} className="flex items-center gap-1.5 text-sm">
            <input type="checkbox" className="size-4 accent-primary" checked={values.includes(option)} onChange={(event) => onChange(toggleValue(values, option, event.target.checked, options))} />
            {option}
          </label>
        ))}
      </div>
      {hint ? <p className="text-xs text-muted-foreground">{hint}</p> : null}
      {error ? <p className="text-sm text-destructive">{error}</p> : null}
    </fieldset>
  );
}
