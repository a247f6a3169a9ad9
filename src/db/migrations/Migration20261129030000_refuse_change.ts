import { Migration } from '@mikro-orm/migrations';

/**
 * refuse_change(message, detail): raises SQLSTATE RE400 with the message, and both as the
 * error's JSON detail (a driver may prefix the message with the statement's text).
 * A change written as one statement calls it where a check can only be made after the row
 * was written (an event's payload over its size limit): the error aborts the statement, so
 * the change and its event are written together or not at all.
 */
export class Migration20261129030000_refuse_change extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function "refuse_change"(message text, detail json) returns json language plpgsql as $fn$
begin
  raise exception using errcode = 'RE400', message = message, detail = json_build_object('message', message, 'details', detail)::text;
end
$fn$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function "refuse_change"(text, json);`);
  }
}
