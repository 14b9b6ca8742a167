import { gunzipSync } from "node:zlib";
import { AppError } from "../errors.ts";

export interface IngestLimits {
  /** Largest decompressed body. */
  maxBytes: number;
  /** Most records in one request. */
  maxRecords: number;
}

export type CloudTrailRecord = Record<string, unknown> & { eventID: string };

export type ParsedIngest =
  | { kind: "records"; records: CloudTrailRecord[]; format: "array" | "log-file" | "eventbridge" | "record" | "sns" }
  | { kind: "sns-subscription"; subscribeUrl: string; topicArn: string };

const isGzip = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Reads what CloudTrail (or its forwarders) can post: a JSON array of
 * records, a log file `{"Records": [...]}` (plain or gzip, by
 * Content-Encoding or by its magic bytes), an EventBridge event ("... via
 * CloudTrail", the record under `detail`), one record, or an SNS envelope
 * (SubscriptionConfirmation, or a Notification whose Message is any of the
 * above). Errors name what is wrong: 400 malformed, 413 over a limit, 422 a
 * valid message Conveyor cannot use.
 */
export function parseCloudTrailBody(raw: Buffer, { contentEncoding, limits }: { contentEncoding?: string | null; limits: IngestLimits }): ParsedIngest {
  let body = raw;
  if ((contentEncoding ?? "").toLowerCase().includes("gzip") || isGzip(raw)) {
    try {
      body = gunzipSync(raw, { maxOutputLength: limits.maxBytes });
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.code === "ERR_BUFFER_TOO_LARGE" || /Cannot create a Buffer larger|maxOutputLength/i.test(e.message)) {
        throw new AppError("payload_too_large", `the decompressed body is larger than the limit of ${limits.maxBytes} bytes`);
      }
      throw new AppError("bad_request", `the body is not valid gzip: ${e.message}`);
    }
  }
  if (body.length > limits.maxBytes) throw new AppError("payload_too_large", `the body is larger than the limit of ${limits.maxBytes} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw new AppError("bad_request", `the body is not valid JSON: ${(err as Error).message}`);
  }
  return classify(value, limits, 0);
}

function classify(value: unknown, limits: IngestLimits, depth: number): ParsedIngest {
  if (Array.isArray(value)) return { kind: "records", records: checkRecords(value, limits), format: "array" };
  if (!isObject(value)) throw new AppError("bad_request", "expected a JSON array of CloudTrail records, a log file {\"Records\": [...]}, an EventBridge event or an SNS message");

  if (value.Type === "SubscriptionConfirmation") {
    if (typeof value.SubscribeURL !== "string" || typeof value.TopicArn !== "string") throw new AppError("bad_request", "SNS SubscriptionConfirmation without SubscribeURL or TopicArn");
    return { kind: "sns-subscription", subscribeUrl: value.SubscribeURL, topicArn: value.TopicArn };
  }
  if (value.Type === "Notification") {
    if (depth > 0) throw new AppError("bad_request", "an SNS notification inside an SNS notification");
    if (typeof value.Message !== "string") throw new AppError("bad_request", "SNS Notification without a Message string");
    let inner: unknown;
    try {
      inner = JSON.parse(value.Message);
    } catch {
      throw new AppError("bad_request", "the SNS Message is not JSON");
    }
    const parsed = classify(inner, limits, depth + 1);
    return parsed.kind === "records" ? { ...parsed, format: "sns" } : parsed;
  }
  if (typeof value["detail-type"] === "string" && "detail" in value) {
    if (!/ via CloudTrail$/.test(value["detail-type"])) throw new AppError("unprocessable", `EventBridge event "${value["detail-type"]}" is not a CloudTrail event (detail-type "... via CloudTrail")`);
    return { kind: "records", records: checkRecords([value.detail], limits), format: "eventbridge" };
  }
  if (Array.isArray(value.Records)) {
    const first = value.Records[0];
    if (isObject(first) && first.eventSource === "aws:s3") {
      throw new AppError("unprocessable", "this is an S3 event notification (a log file's location), not CloudTrail records: Conveyor cannot read your bucket — deploy the forwarder Lambda (integrations/aws) to post the records");
    }
    return { kind: "records", records: checkRecords(value.Records, limits), format: "log-file" };
  }
  if (typeof value.s3Bucket === "string" && Array.isArray(value.s3ObjectKey)) {
    throw new AppError("unprocessable", "this is a CloudTrail SNS file notification (s3Bucket/s3ObjectKey): Conveyor cannot read your bucket — deploy the forwarder Lambda (integrations/aws) instead");
  }
  if (typeof value.eventID === "string" && typeof value.eventName === "string") return { kind: "records", records: checkRecords([value], limits), format: "record" };
  throw new AppError("bad_request", "unknown shape: expected a JSON array of CloudTrail records, {\"Records\": [...]}, an EventBridge event (detail-type \"... via CloudTrail\") or an SNS message");
}

function checkRecords(items: unknown[], limits: IngestLimits): CloudTrailRecord[] {
  if (items.length > limits.maxRecords) throw new AppError("payload_too_large", `${items.length} records in one request; the limit is ${limits.maxRecords}`);
  items.forEach((r, i) => {
    if (!isObject(r)) throw new AppError("bad_request", `record ${i} is not a JSON object`);
    if (typeof r.eventID !== "string" || r.eventID.length === 0 || r.eventID.length > 255) throw new AppError("bad_request", `record ${i} has no eventID (a string of 1-255 characters), so it cannot be deduplicated`);
  });
  return items as CloudTrailRecord[];
}
