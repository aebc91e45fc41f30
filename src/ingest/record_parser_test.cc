#include "ingest/record_parser.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_support.h"

namespace stedi::ingest {
namespace {

using stedi::testing::Gzip;

const RecordContract& StepTrainer() { return ContractFor(Source::kStepTrainer); }

std::string ReadTestFile(const std::string& name) {
  std::filesystem::path path = std::filesystem::path(STEDI_TEST_DATA_DIR) / "ingest" / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// Checks the accounting invariant that every parse must keep.
void ExpectAccounted(const ParsedFile& parsed) {
  EXPECT_EQ(parsed.records_read, parsed.accepted + parsed.quarantined);
  EXPECT_EQ(static_cast<int64_t>(parsed.quarantine.size()), parsed.quarantined);
  int64_t rows = 0;
  for (const RecordBatch& batch : parsed.batches) {
    rows += batch.rows;
    for (const ColumnBuffer& column : batch.columns) {
      EXPECT_EQ(static_cast<int64_t>(column.valid.size()), batch.rows);
    }
  }
  EXPECT_EQ(rows, parsed.accepted);
}

ParsedFile ParseTestFile(const std::string& name, const RecordContract& contract = StepTrainer()) {
  ParsedFile parsed = ParseRecords(ReadTestFile(name), contract);
  ExpectAccounted(parsed);
  return parsed;
}

bool StartsWith(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

#define EXPECT_REASON(record, prefix) \
  EXPECT_TRUE(StartsWith((record).reason, prefix)) << "reason: " << (record).reason

// The values of the column at `index` of a one-batch result.
const ColumnBuffer& Column(const ParsedFile& parsed, size_t index) {
  return parsed.batches.at(0).columns.at(index);
}

std::string StringAt(const ColumnBuffer& column, size_t row) {
  uint64_t begin = row == 0 ? 0 : column.string_ends[row - 1];
  return column.string_data.substr(begin, column.string_ends[row] - begin);
}

int64_t DriftCount(const ParsedFile& parsed, std::string_view field, std::string_view type) {
  for (const FieldTypeCount& entry : parsed.drift) {
    if (entry.field == field && entry.json_type == type) return entry.count;
  }
  return 0;
}

TEST(RecordParserTest, InvalidJsonIsQuarantined) {
  ParsedFile parsed = ParseTestFile("invalid_json.json");
  EXPECT_EQ(parsed.accepted, 2);
  ASSERT_EQ(parsed.quarantined, 1);
  EXPECT_EQ(parsed.quarantine[0].line, 2);
  EXPECT_REASON(parsed.quarantine[0], "invalid JSON:");
  EXPECT_TRUE(
      StartsWith(parsed.quarantine[0].raw, "{\"sensorReadingTime\":1655564444103 \"serial"));
}

TEST(RecordParserTest, TruncatedLastLineIsQuarantined) {
  std::string bytes = ReadTestFile("truncated_last_line.json");
  ParsedFile parsed = ParseRecords(bytes, StepTrainer());
  ExpectAccounted(parsed);
  EXPECT_EQ(parsed.accepted, 2);
  ASSERT_EQ(parsed.quarantined, 1);
  EXPECT_EQ(parsed.quarantine[0].line, 3);
  EXPECT_EQ(parsed.quarantine[0].byte_offset, static_cast<int64_t>(bytes.rfind('\n') + 1));
  EXPECT_REASON(parsed.quarantine[0], "invalid JSON:");
}

TEST(RecordParserTest, RecordThatIsNotAnObjectIsQuarantined) {
  ParsedFile parsed = ParseTestFile("not_object.json");
  EXPECT_EQ(parsed.accepted, 2);
  ASSERT_EQ(parsed.quarantined, 4);
  EXPECT_REASON(parsed.quarantine[0], "record is not an object: got string");
  EXPECT_REASON(parsed.quarantine[1], "record is not an object: got number");
  EXPECT_REASON(parsed.quarantine[2], "record is not an object: got null");
  EXPECT_REASON(parsed.quarantine[3], "record is not an object: got array");
  EXPECT_EQ(parsed.quarantine[3].line, 5);
}

TEST(RecordParserTest, MissingRequiredFieldIsQuarantined) {
  ParsedFile parsed = ParseTestFile("missing_required.json");
  EXPECT_EQ(parsed.accepted, 2);
  ASSERT_EQ(parsed.quarantined, 1);
  EXPECT_REASON(parsed.quarantine[0], "missing required field distanceFromObject");
}

TEST(RecordParserTest, BlankKeyFieldIsQuarantined) {
  ParsedFile parsed = ParseRecords(
      "{\"sensorReadingTime\":1655564376361,\"serialNumber\":\"\",\"distanceFromObject\":5}\n"
      "{\"sensorReadingTime\":1655564376362,\"serialNumber\":\" \\t\",\"distanceFromObject\":6}\n"
      "{\"sensorReadingTime\":1655564376363,\"serialNumber\":\"a\",\"distanceFromObject\":7}\n"
      "{\"sensorReadingTime\":1655564376364,\"serialNumber\":\"\\u00a0\",\"distanceFromObject\":8}"
      "\n",
      StepTrainer());
  EXPECT_EQ(parsed.accepted, 1);
  ASSERT_EQ(parsed.quarantined, 3);
  EXPECT_REASON(parsed.quarantine[2], "serialNumber: blank string is not allowed");
  EXPECT_REASON(parsed.quarantine[0], "serialNumber: blank string is not allowed");
  EXPECT_REASON(parsed.quarantine[1], "serialNumber: blank string is not allowed");
  // A blank in a field that may be null, such as a customer's name, is kept.
  ParsedFile customers = ParseRecords(
      "{\"customerName\":\"\",\"email\":\"a@b.c\",\"serialNumber\":\"s\","
      "\"registrationDate\":1655564376361,\"lastUpdateDate\":1655564376361}\n"
      "{\"customerName\":\"Eve\",\"email\":\"\",\"serialNumber\":\"s\","
      "\"registrationDate\":1655564376361,\"lastUpdateDate\":1655564376361}\n",
      ContractFor(Source::kCustomer));
  EXPECT_EQ(customers.accepted, 1);
  ASSERT_EQ(customers.quarantined, 1);
  EXPECT_REASON(customers.quarantine[0], "email: blank string is not allowed");
}

TEST(ContractTest, BlankCoversUnicodeSpaces) {
  EXPECT_TRUE(IsBlank(""));
  EXPECT_TRUE(IsBlank(" \t\r\n"));
  EXPECT_TRUE(IsBlank("\xC2\xA0"));                   // no-break space
  EXPECT_TRUE(IsBlank("\xE2\x80\x8B"));               // zero-width space
  EXPECT_TRUE(IsBlank("\xE3\x80\x80 \xEF\xBB\xBF"));  // ideographic space, BOM
  EXPECT_FALSE(IsBlank("a"));
  EXPECT_FALSE(IsBlank("\xC3\xA9"));  // e with acute
  EXPECT_FALSE(IsBlank("\xE2\x80"));  // cut off
  EXPECT_FALSE(IsBlank("\xFF"));
}

TEST(RecordParserTest, WrongTypesAreQuarantinedWithTheValue) {
  ParsedFile parsed = ParseTestFile("wrong_types.json");
  EXPECT_EQ(parsed.accepted, 1);
  ASSERT_EQ(parsed.quarantined, 6);
  EXPECT_REASON(parsed.quarantine[0], "distanceFromObject: expected integer, got string \"218cm\"");
  EXPECT_REASON(parsed.quarantine[1], "serialNumber: expected string, got boolean true");
  EXPECT_REASON(parsed.quarantine[2], "distanceFromObject: expected integer, got float 1.5");
  EXPECT_REASON(parsed.quarantine[3], "distanceFromObject: null is not allowed");
  EXPECT_REASON(parsed.quarantine[4], "sensorReadingTime: expected integer, got string");
  EXPECT_REASON(parsed.quarantine[5], "distanceFromObject: expected integer, got object");
  EXPECT_EQ(DriftCount(parsed, "distanceFromObject", "string"), 1);
  EXPECT_EQ(DriftCount(parsed, "distanceFromObject", "float"), 1);
  EXPECT_EQ(DriftCount(parsed, "distanceFromObject", "null"), 1);
  EXPECT_EQ(DriftCount(parsed, "distanceFromObject", "object"), 1);
  EXPECT_EQ(DriftCount(parsed, "distanceFromObject", "integer"), 3);
}

TEST(RecordParserTest, NumbersOutOfRangeAreQuarantined) {
  ParsedFile parsed = ParseTestFile("out_of_range.json");
  EXPECT_EQ(parsed.accepted, 2);
  ASSERT_EQ(parsed.quarantined, 5);
  EXPECT_REASON(parsed.quarantine[0],
                "distanceFromObject: 3000000000 is out of range [-2147483648, 2147483647]");
  EXPECT_REASON(parsed.quarantine[1],
                "sensorReadingTime: -5 is out of range [946684800000, 4102444799999]");
  EXPECT_REASON(parsed.quarantine[2], "sensorReadingTime: 1655564444 is out of range");
  EXPECT_REASON(parsed.quarantine[3], "sensorReadingTime: 1655564444103000 is out of range");
  EXPECT_REASON(parsed.quarantine[4], "sensorReadingTime: 99999999999999999999 is out of range");
  EXPECT_EQ(Column(parsed, 2).int32_values.at(0), -2147483648);
}

TEST(RecordParserTest, InvalidUtf8IsQuarantined) {
  ParsedFile parsed = ParseTestFile("invalid_utf8.json");
  EXPECT_EQ(parsed.accepted, 2);
  ASSERT_EQ(parsed.quarantined, 1);
  EXPECT_EQ(parsed.quarantine[0].line, 2);
  EXPECT_REASON(parsed.quarantine[0], "invalid UTF-8");
}

TEST(RecordParserTest, ByteOrderMarkIsSkippedButCountsInOffsets) {
  std::string bytes = ReadTestFile("bom.json");
  std::string broken = bytes;
  broken.insert(bytes.find('\n') + 1, "{\"oops\"\n");
  ParsedFile parsed = ParseRecords(broken, StepTrainer());
  ExpectAccounted(parsed);
  EXPECT_TRUE(parsed.layout.byte_order_mark);
  EXPECT_EQ(parsed.accepted, 2);
  ASSERT_EQ(parsed.quarantined, 1);
  EXPECT_EQ(parsed.quarantine[0].byte_offset, static_cast<int64_t>(bytes.find('\n') + 1));

  ParsedFile clean = ParseTestFile("bom.json");
  EXPECT_EQ(clean.accepted, 2);
  EXPECT_EQ(clean.quarantined, 0);
}

TEST(RecordParserTest, CrlfLineEndingsAreAccepted) {
  ParsedFile parsed = ParseTestFile("crlf.json");
  EXPECT_EQ(parsed.accepted, 3);
  EXPECT_EQ(parsed.quarantined, 0);
  EXPECT_EQ(parsed.layout.crlf_lines, 3);
  EXPECT_EQ(StringAt(Column(parsed, 1), 2), "50f7b4f3-7af5-4b07-a421-7b902c8d2b7c");
}

TEST(RecordParserTest, BlankLinesAreNotRecords) {
  ParsedFile parsed = ParseTestFile("blank_lines.json");
  EXPECT_EQ(parsed.records_read, 2);
  EXPECT_EQ(parsed.accepted, 2);
  EXPECT_EQ(parsed.quarantined, 0);
  EXPECT_EQ(parsed.layout.blank_lines, 4);
}

TEST(RecordParserTest, EmptyFileHasNoRecords) {
  ParsedFile parsed = ParseTestFile("empty.json");
  EXPECT_EQ(parsed.records_read, 0);
  EXPECT_EQ(parsed.accepted, 0);
  EXPECT_EQ(parsed.quarantined, 0);
  EXPECT_TRUE(parsed.batches.empty());
}

TEST(RecordParserTest, VeryLongLinesAreParsed) {
  std::string serial(10 << 20, 's');
  std::string good = "{\"sensorReadingTime\":1655564444103,\"serialNumber\":\"" + serial +
                     "\",\"distanceFromObject\":1}\n";
  std::string bad = "{\"sensorReadingTime\":1655564444103,\"serialNumber\":\"" + serial + "\n";
  ParseOptions options;
  options.max_raw_bytes = 1000;
  ParsedFile parsed = ParseRecords(good + bad + good, StepTrainer(), options);
  ExpectAccounted(parsed);
  EXPECT_EQ(parsed.accepted, 2);
  ASSERT_EQ(parsed.quarantined, 1);
  EXPECT_EQ(parsed.quarantine[0].line, 2);
  EXPECT_REASON(parsed.quarantine[0], "invalid JSON:");
  EXPECT_EQ(parsed.quarantine[0].raw.size(), 1000u);
  EXPECT_EQ(parsed.quarantine[0].raw_size, static_cast<int64_t>(bad.size() - 1));
  EXPECT_EQ(Column(parsed, 1).string_ends.at(0), serial.size());
}

TEST(RecordParserTest, JsonArrayElementsAreRecords) {
  ParsedFile parsed = ParseTestFile("array.json");
  EXPECT_TRUE(parsed.layout.json_array);
  EXPECT_EQ(parsed.accepted, 2);
  ASSERT_EQ(parsed.quarantined, 1);
  // The bad element starts on line 3 of the file and spans five lines.
  EXPECT_EQ(parsed.quarantine[0].line, 3);
  EXPECT_REASON(parsed.quarantine[0], "distanceFromObject: expected integer, got string \"far\"");
  EXPECT_TRUE(StartsWith(parsed.quarantine[0].raw, "{\n    \"sensorReadingTime\""));
  EXPECT_EQ(parsed.quarantine[0].raw.back(), '}');
}

TEST(RecordParserTest, TruncatedJsonArrayKeepsEarlierElements) {
  std::string bytes = ReadTestFile("array.json");
  bytes.resize(bytes.find("\"far\""));
  ParsedFile parsed = ParseRecords(bytes, StepTrainer());
  ExpectAccounted(parsed);
  EXPECT_EQ(parsed.accepted, 1);
  ASSERT_EQ(parsed.quarantined, 1);
  EXPECT_REASON(parsed.quarantine[0], "invalid JSON:");
}

TEST(RecordParserTest, StrayCommasAfterRecordsAreTolerated) {
  ParsedFile parsed = ParseTestFile("stray_comma.json");
  EXPECT_EQ(parsed.accepted, 3);
  EXPECT_EQ(parsed.quarantined, 0);
  EXPECT_EQ(parsed.layout.stray_commas, 2);
}

TEST(RecordParserTest, SeveralObjectsOnOneLineShareItsNumber) {
  std::string bytes = ReadTestFile("several_per_line.json");
  ParsedFile parsed = ParseRecords(bytes, StepTrainer());
  ExpectAccounted(parsed);
  EXPECT_EQ(parsed.accepted, 5);
  ASSERT_EQ(parsed.quarantined, 1);
  EXPECT_EQ(parsed.layout.records_sharing_line, 3);
  // Line 3 is a record followed by a stray `}`, which is quarantined alone.
  EXPECT_EQ(parsed.quarantine[0].line, 3);
  EXPECT_EQ(parsed.quarantine[0].raw, "}");
  EXPECT_EQ(parsed.quarantine[0].byte_offset, static_cast<int64_t>(bytes.size() - 2));
  const ColumnBuffer& distance = Column(parsed, 2);
  EXPECT_EQ(distance.int32_values, (std::vector<int32_t>{218, 1, 2, 3, 4}));
}

TEST(RecordParserTest, GzipFileIsDecompressed) {
  std::string text = ReadTestFile("invalid_json.json");
  ParsedFile parsed = ParseRecords(Gzip(text), StepTrainer());
  ExpectAccounted(parsed);
  EXPECT_TRUE(parsed.layout.gzip);
  EXPECT_EQ(parsed.accepted, 2);
  ASSERT_EQ(parsed.quarantined, 1);
  EXPECT_EQ(parsed.quarantine[0].line, 2);
  EXPECT_EQ(parsed.quarantine[0].byte_offset, static_cast<int64_t>(text.find('\n') + 1));
}

TEST(RecordParserTest, TruncatedGzipQuarantinesTheRest) {
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += "{\"sensorReadingTime\":1655564444103,\"serialNumber\":\"s" + std::to_string(i) +
            "\",\"distanceFromObject\":" + std::to_string(i) + "}\n";
  }
  std::string compressed = Gzip(text);
  compressed.resize(compressed.size() / 2);
  ParsedFile parsed = ParseRecords(compressed, StepTrainer());
  ExpectAccounted(parsed);
  EXPECT_GT(parsed.accepted, 0);
  EXPECT_LT(parsed.accepted, 2000);
  ASSERT_GE(parsed.quarantined, 1);
  EXPECT_REASON(parsed.quarantine.back(), "gzip: gzip data is truncated");
}

TEST(RecordParserTest, KeysMatchIgnoringCase) {
  ParsedFile parsed = ParseTestFile("key_case.json");
  EXPECT_EQ(parsed.accepted, 2);
  ASSERT_EQ(parsed.quarantined, 1);
  EXPECT_REASON(parsed.quarantine[0],
                "duplicate field sensorReadingTime: keys \"sensorReadingTime\" and "
                "\"SENSORREADINGTIME\"");
  ASSERT_EQ(parsed.key_spellings.size(), 3u);
  EXPECT_EQ(parsed.key_spellings[0].field, "sensorReadingTime");
  EXPECT_EQ(parsed.key_spellings[0].spelling, "SensorReadingTime");
  EXPECT_EQ(parsed.key_spellings[0].count, 1);
}

TEST(RecordParserTest, UnknownKeysAreCountedAndIgnored) {
  ParsedFile parsed = ParseTestFile("unknown_keys.json");
  EXPECT_EQ(parsed.accepted, 2);
  ASSERT_EQ(parsed.quarantined, 1);
  // Malformed JSON inside an ignored value still rejects the record.
  EXPECT_REASON(parsed.quarantine[0], "invalid JSON:");
  EXPECT_EQ(parsed.unknown_keys, 3);
  EXPECT_EQ(DriftCount(parsed, "firmware", "string"), 1);
  EXPECT_EQ(DriftCount(parsed, "firmware", "integer"), 1);
  EXPECT_EQ(DriftCount(parsed, "extra", "object"), 1);
  for (const FieldTypeCount& entry : parsed.drift) {
    EXPECT_EQ(entry.in_contract, entry.field != "firmware" && entry.field != "extra")
        << entry.field;
  }
}

TEST(RecordParserTest, SafeCoercionsAreCountedAndLossyOnesQuarantined) {
  ParsedFile parsed = ParseTestFile("coercions.json");
  EXPECT_EQ(parsed.accepted, 3);
  EXPECT_EQ(parsed.coerced, 2);
  ASSERT_EQ(parsed.quarantined, 2);
  EXPECT_REASON(parsed.quarantine[0], "distanceFromObject: expected integer, got float 1.5");
  EXPECT_REASON(parsed.quarantine[1], "sensorReadingTime: expected integer, got float");
  EXPECT_EQ(Column(parsed, 0).int64_values.at(0), 1655564444103);
  EXPECT_EQ(Column(parsed, 2).int32_values.at(1), 200);
  ASSERT_EQ(parsed.coercions.size(), 2u);
  EXPECT_EQ(parsed.coercions[0].field, "sensorReadingTime");
  EXPECT_EQ(parsed.coercions[0].kind, "integral float to integer");
  EXPECT_EQ(parsed.coercions[0].count, 1);
}

TEST(RecordParserTest, NumberForStringKeepsItsExactText) {
  ParsedFile parsed = ParseTestFile("customer_phone_number.json", ContractFor(Source::kCustomer));
  EXPECT_EQ(parsed.accepted, 2);
  EXPECT_EQ(parsed.quarantined, 0);
  EXPECT_EQ(parsed.coerced, 1);
  const ColumnBuffer& phone = Column(parsed, 2);
  EXPECT_EQ(StringAt(phone, 0), "8015551212");
  EXPECT_EQ(StringAt(phone, 1), "8015551212");
  const ColumnBuffer& birth_day = Column(parsed, 3);
  EXPECT_EQ(birth_day.valid, (std::vector<uint8_t>{1, 0}));
  const ColumnBuffer& share = Column(parsed, 7);
  EXPECT_EQ(share.valid, (std::vector<uint8_t>{0, 0}));
}

TEST(RecordParserTest, IntegerBeyondDoublePrecisionIsQuarantined) {
  ParsedFile parsed =
      ParseTestFile("accelerometer_doubles.json", ContractFor(Source::kAccelerometer));
  EXPECT_EQ(parsed.accepted, 1);
  ASSERT_EQ(parsed.quarantined, 2);
  EXPECT_REASON(parsed.quarantine[0],
                "x: integer 9007199254740993 cannot be stored exactly as a double");
  EXPECT_REASON(parsed.quarantine[1], "x: 1e400 is out of range for a double");
  EXPECT_EQ(Column(parsed, 3).double_values.at(0), -1.0);
  EXPECT_EQ(parsed.coerced, 1);
}

TEST(RecordParserTest, ThreadsGiveTheSameResultAsOne) {
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    text += i % 997 == 0 ? "{\"bad\n"
                         : "{\"sensorReadingTime\":1655564444103,\"serialNumber\":\"s\","
                           "\"distanceFromObject\":" +
                               std::to_string(i) + "}\n";
  }
  ParseOptions one;
  one.threads = 1;
  ParseOptions four;
  four.threads = 4;
  four.min_bytes_per_thread = 1000;
  ParsedFile serial = ParseRecords(text, StepTrainer(), one);
  ParsedFile parallel = ParseRecords(text, StepTrainer(), four);
  ExpectAccounted(parallel);
  EXPECT_EQ(parallel.batches.size(), 4u);
  EXPECT_EQ(parallel.accepted, serial.accepted);
  ASSERT_EQ(parallel.quarantined, serial.quarantined);
  for (size_t i = 0; i < serial.quarantine.size(); ++i) {
    EXPECT_EQ(parallel.quarantine[i].line, serial.quarantine[i].line);
    EXPECT_EQ(parallel.quarantine[i].byte_offset, serial.quarantine[i].byte_offset);
  }
  EXPECT_EQ(serial.quarantine.back().line, 19941);
  EXPECT_EQ(DriftCount(parallel, "distanceFromObject", "integer"), serial.accepted);
}

}  // namespace
}  // namespace stedi::ingest
