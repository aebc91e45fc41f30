// The catalog's record of landing faults: quarantined records and the JSON
// types seen per field.
#include <fmt/format.h>

#include "catalog/catalog.h"

namespace stedi::catalog {

Result<std::vector<QuarantineGroup>> Catalog::SummarizeQuarantine(std::string_view source) {
  // A reason such as `x: expected number, got string "abc"` is grouped by its
  // text before the first quoted value, so one kind of fault is one line.
  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement query,
      db_.Prepare("WITH q AS ("
                  "  SELECT q.id, q.source, f.name, q.line, q.reason, "
                  "    CASE WHEN instr(q.reason, '\"') > 0 "
                  "         THEN rtrim(substr(q.reason, 1, instr(q.reason, '\"') - 1)) "
                  "         ELSE q.reason END AS kind "
                  "  FROM quarantine q JOIN landed_files f ON f.id = q.landed_file_id "
                  "  WHERE ?1 = '' OR q.source = ?1) "
                  "SELECT source, kind, count(*), "
                  "  (SELECT name FROM q q2 WHERE q2.source = q.source AND q2.kind = q.kind "
                  "   ORDER BY id LIMIT 1), "
                  "  (SELECT line FROM q q2 WHERE q2.source = q.source AND q2.kind = q.kind "
                  "   ORDER BY id LIMIT 1), "
                  "  (SELECT reason FROM q q2 WHERE q2.source = q.source AND q2.kind = q.kind "
                  "   ORDER BY id LIMIT 1) "
                  "FROM q GROUP BY source, kind ORDER BY count(*) DESC, source, kind"));
  query.Bind(1, source);
  std::vector<QuarantineGroup> groups;
  while (true) {
    STEDI_ASSIGN_OR_RETURN(bool has_row, query.Step());
    if (!has_row) break;
    groups.push_back({query.ColumnText(0), query.ColumnText(1), query.ColumnInt64(2),
                      query.ColumnText(3), query.ColumnInt64(4), query.ColumnText(5)});
  }
  return groups;
}

Result<std::vector<QuarantinedRecordInfo>> Catalog::ListQuarantine(std::string_view source) {
  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement query,
      db_.Prepare("SELECT q.source, f.name, q.line, q.byte_offset, q.reason, q.raw "
                  "FROM quarantine q JOIN landed_files f ON f.id = q.landed_file_id "
                  "WHERE ?1 = '' OR q.source = ?1 ORDER BY q.id"));
  query.Bind(1, source);
  std::vector<QuarantinedRecordInfo> records;
  while (true) {
    STEDI_ASSIGN_OR_RETURN(bool has_row, query.Step());
    if (!has_row) break;
    records.push_back({query.ColumnText(0),
                       query.ColumnText(1),
                       {query.ColumnInt64(2), query.ColumnInt64(3), query.ColumnText(4),
                        query.ColumnText(5)}});
  }
  return records;
}

Result<std::vector<FieldDrift>> Catalog::ListFieldDrift(std::string_view source) {
  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement query,
      db_.Prepare("SELECT coalesce(f.batch_id, 0), t.field, t.json_type, sum(t.count), "
                  "  count(DISTINCT f.id) "
                  "FROM field_types t JOIN landed_files f ON f.id = t.landed_file_id "
                  "WHERE f.source = ? "
                  "GROUP BY 1, 2, 3 ORDER BY 1, 2, 4 DESC"));
  query.Bind(1, source);
  std::vector<FieldDrift> drift;
  while (true) {
    STEDI_ASSIGN_OR_RETURN(bool has_row, query.Step());
    if (!has_row) break;
    drift.push_back({query.ColumnInt64(0), query.ColumnText(1), query.ColumnText(2),
                     query.ColumnInt64(3), query.ColumnInt64(4)});
  }
  return drift;
}

}  // namespace stedi::catalog
