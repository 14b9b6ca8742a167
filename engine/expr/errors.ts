/** A template function could not be evaluated (bad $.math, unknown time zone, ...). */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TemplateError";
  }
}
