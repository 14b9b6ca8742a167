"use client";
import { Checkbox, Field, inputClass, LinkTarget, Section, ValueMapEditor } from "../fields";
import { text, type LogicFormProps } from "../form-kit";
import { useInspector } from "../inspector-context";
import { TemplateInput } from "../template-input";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
const CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "application/xml", "text/xml"];

/** API Call: the request (method, URL, parameters, headers) and how the answer is merged. */
export function ApiCallForm({ logic, patch, errors }: LogicFormProps) {
  const { readOnly } = useInspector();
  const format = text(logic.format);
  return (
    <>
      <Section title="Request">
        <div className="flex gap-2">
          <Field label="Method" error={errors.method}>
            {(id) => (
              <select id={id} className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm" value={text(logic.method) || "POST"} disabled={readOnly} onChange={(e) => patch({ method: e.target.value }, "method")}>
                {METHODS.map((m) => <option key={m}>{m}</option>)}
              </select>
            )}
          </Field>
          <div className="min-w-0 flex-1">
            <Field label="URL" error={errors.url}>{() => <TemplateInput label="URL" value={text(logic.url)} onChange={(url) => patch({ url }, "url")} placeholder="https://hooks.example.com/{{path}}" invalid={!!errors.url} testId="api-url" />}</Field>
          </div>
        </div>
        <div className="flex gap-2">
          <Field label="Format" error={errors.format}>
            {(id) => (
              <select id={id} className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm" value={format} disabled={readOnly} onChange={(e) => patch({ format: e.target.value }, "format")}>
                <option value="">default</option>
                <option value="corezoid">corezoid (ops envelope)</option>
                <option value="raw">raw body</option>
              </select>
            )}
          </Field>
          <Field label="Content type" error={errors.content_type}>
            {(id) => (
              <select id={id} className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm" value={text(logic.content_type) || "application/json"} disabled={readOnly} onChange={(e) => patch({ content_type: e.target.value }, "content_type")}>
                {CONTENT_TYPES.map((c) => <option key={c}>{c}</option>)}
              </select>
            )}
          </Field>
        </div>
        {format === "raw" ? (
          <Field label="Raw body" error={errors.raw_body}>{() => <TemplateInput multiline mono label="raw body" value={text(logic.raw_body)} onChange={(raw_body) => patch({ raw_body }, "raw_body")} />}</Field>
        ) : (
          <Field label="Parameters (query for GET, body otherwise)" error={errors.extra}>
            {() => <ValueMapEditor values={logic.extra as Record<string, unknown>} types={logic.extra_type as Record<string, string>} onChange={(extra, extra_type) => patch({ extra, extra_type }, "extra")} testId="api-params" />}
          </Field>
        )}
        <Field label="Headers" error={errors.extra_headers}>
          {() => <ValueMapEditor withTypes={false} keyLabel="header" values={logic.extra_headers as Record<string, unknown>} onChange={(extra_headers) => patch({ extra_headers }, "extra_headers")} testId="api-headers" />}
        </Field>
        <Field label="Concurrent requests (max threads)" error={errors.max_threads}>
          {(id) => <input id={id} type="number" min={1} className={`${inputClass} w-28`} value={text(logic.max_threads) || "5"} readOnly={readOnly} onChange={(e) => patch({ max_threads: Number(e.target.value) }, "max_threads")} />}
        </Field>
        <Checkbox label="Send system fields and sign the request (send_sys)" checked={logic.send_sys === true} onChange={(send_sys) => patch({ send_sys }, "send_sys")} />
        {logic.send_sys === true && (
          <Field label="Signing secret" error={errors.api_secret_outer}>{(id) => <input id={id} className={inputClass} value={text(logic.api_secret_outer)} readOnly={readOnly} onChange={(e) => patch({ api_secret_outer: e.target.value }, "api_secret_outer")} />}</Field>
        )}
      </Section>
      <Section title="Answer">
        <Checkbox label="Map the answer to chosen parameters (customize response)" checked={logic.customize_response === true} onChange={(customize_response) => patch({ customize_response }, "customize_response")} />
        {logic.customize_response === true ? (
          <ValueMapEditor values={logic.response as Record<string, unknown>} types={logic.response_type as Record<string, string>} onChange={(response, response_type) => patch({ response, response_type }, "response")} valueLabel="{{body.path}}" testId="api-response" />
        ) : (
          <p className="text-xs text-slate-500">A JSON object answer is merged into the task; an array goes to __conveyor_api_array__.</p>
        )}
        <Checkbox label="Add timing and sizes (debug info)" checked={logic.debug_info === true} onChange={(debug_info) => patch({ debug_info }, "debug_info")} />
        <div className="text-xs">On error <LinkTarget target={text(logic.err_node_id)} kind="error" /></div>
      </Section>
    </>
  );
}
