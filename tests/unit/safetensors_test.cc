// Tests for common/safetensors: reader validation, canonical writer, HF checkpoint folders and the
// F16/BF16 helpers, against the golden fixtures in tests/fixtures (see PROVENANCE.md there).
#include "common/safetensors/safetensors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "common/safetensors/checkpoint.h"
#include "common/safetensors/half.h"
#include "common/safetensors/header.h"
#include "common/safetensors/writer.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using Json = nlohmann::json;

const fs::path kFixtures = AUGSWEEP_FIXTURES_DIR;
const std::vector<std::string> kTinyModels = {"llama", "bert", "roberta", "distilbert", "xlnet"};

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const fs::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

Json ReadJson(const fs::path& p) { return Json::parse(ReadFile(p)); }

std::span<const std::byte> AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

template <typename T>
std::span<const std::byte> AsBytes(const std::vector<T>& v) {
  return {reinterpret_cast<const std::byte*>(v.data()), v.size() * sizeof(T)};
}

// A file image with the given header JSON (unpadded) and `data_size` data bytes.
std::string MakeImage(std::string_view json, size_t data_size) {
  const uint64_t n = json.size();
  std::string out(reinterpret_cast<const char*>(&n), 8);
  out += json;
  out.append(data_size, '\x01');
  return out;
}

class SafetensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("augsweep_safetensors_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `image` to a file in the temp dir and opens it.
  StatusOr<std::unique_ptr<SafetensorsFile>> OpenImage(std::string_view image,
                                                       const std::string& name = "t.safetensors") {
    WriteFile(dir_ / name, image);
    return SafetensorsFile::Open((dir_ / name).string());
  }

  fs::path dir_;
};

// ---------------------------------------------------------------------------- dtypes and halves

TEST(DTypeTest, NamesAndSizes) {
  EXPECT_EQ(DTypeName(DType::kBF16), "BF16");
  EXPECT_EQ(DTypeSize(DType::kI64), 8u);
  EXPECT_EQ(DTypeSize(DType::kF16), 2u);
  EXPECT_EQ(DTypeFromName("F32"), DType::kF32);
  EXPECT_EQ(DTypeFromName("f32"), std::nullopt);
  EXPECT_EQ(DTypeFromName("F64"), std::nullopt);
}

TEST(HalfTest, KnownHalfValues) {
  EXPECT_EQ(HalfToFloat(0x3c00), 1.0f);
  EXPECT_EQ(HalfToFloat(0xc000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x7bff), 65504.0f);
  EXPECT_EQ(HalfToFloat(0x0400), std::ldexp(1.0f, -14));     // smallest normal
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));     // smallest subnormal
  EXPECT_EQ(HalfToFloat(0x03ff), std::ldexp(1023.0f, -24));  // largest subnormal
  EXPECT_EQ(HalfToFloat(0x8001), -std::ldexp(1.0f, -24));
  EXPECT_EQ(std::bit_cast<uint32_t>(HalfToFloat(0x8000)), 0x80000000u);  // -0
  EXPECT_EQ(HalfToFloat(0x7c00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(HalfToFloat(0xfc00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7c01)));
  EXPECT_TRUE(std::isnan(HalfToFloat(0xfe00)));
}

TEST(HalfTest, EveryHalfRoundTripsThroughFloat) {
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    const float f = HalfToFloat(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(HalfToFloat(FloatToHalf(f)))) << std::hex << h;
    } else {
      EXPECT_EQ(FloatToHalf(f), h) << std::hex << h;
    }
  }
}

TEST(HalfTest, FloatToHalfRoundsToNearestEven) {
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3c00);      // tie -> even (down)
  EXPECT_EQ(FloatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);  // tie -> even (up)
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)), 0x3c01);
  EXPECT_EQ(FloatToHalf(65519.0f), 0x7bff);
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7c00);  // rounds to infinity
  EXPECT_EQ(FloatToHalf(1e10f), 0x7c00);
  EXPECT_EQ(FloatToHalf(-1e10f), 0xfc00);
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -25)), 0x0000);  // tie between 0 and 2^-24 -> 0
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -25) * 1.0001f), 0x0001);
  EXPECT_EQ(FloatToHalf(std::ldexp(3.0f, -25)), 0x0002);  // 1.5 units -> 2 (even)
  EXPECT_EQ(FloatToHalf(std::ldexp(1023.5f, -24)),
            0x0400);  // largest subnormal rounds up to normal
  EXPECT_EQ(FloatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(FloatToHalf(1e-30f), 0x0000);
  const uint16_t nan = FloatToHalf(std::bit_cast<float>(0x7f800001u));  // payload in low bits only
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x03ff, 0);  // still a NaN, not infinity
}

TEST(HalfTest, BFloat16) {
  EXPECT_EQ(BFloat16ToFloat(0x3f80), 1.0f);
  EXPECT_EQ(BFloat16ToFloat(0x0001), std::bit_cast<float>(0x00010000u));  // subnormal
  EXPECT_EQ(FloatToBFloat16(1.0f), 0x3f80);
  EXPECT_EQ(FloatToBFloat16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);      // tie -> even
  EXPECT_EQ(FloatToBFloat16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82);  // tie -> even
  EXPECT_EQ(FloatToBFloat16(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)), 0x3f81);
  EXPECT_EQ(FloatToBFloat16(std::numeric_limits<float>::max()), 0x7f80);  // overflow -> inf
  EXPECT_EQ(FloatToBFloat16(-std::numeric_limits<float>::infinity()), 0xff80);
  const uint16_t nan = FloatToBFloat16(std::bit_cast<float>(0x7f800001u));
  EXPECT_TRUE(std::isnan(BFloat16ToFloat(nan)));
  for (uint32_t b = 0; b <= 0xffff; ++b) {
    const float f = BFloat16ToFloat(static_cast<uint16_t>(b));
    if (!std::isnan(f)) {
      EXPECT_EQ(FloatToBFloat16(f), b) << std::hex << b;
    }
  }
}

// ---------------------------------------------------------------------------- golden fixtures

TEST_F(SafetensorsTest, ReadsEveryTinyFixtureWithGoldenNames) {
  for (const std::string& model : kTinyModels) {
    SCOPED_TRACE(model);
    auto file =
        SafetensorsFile::Open((kFixtures / "hf-tiny" / model / "model.safetensors").string());
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    std::vector<std::string> golden =
        ReadJson(kFixtures / "hf-tiny" / model / "golden.json")["tensor_names"]
            .get<std::vector<std::string>>();
    std::vector<std::string> names;
    for (const TensorInfo& t : (*file)->tensors()) {
      names.push_back(t.name);
      EXPECT_EQ(t.dtype, DType::kF32) << t.name;
      EXPECT_EQ((*file)->Data(t).size(), t.num_elements() * 4) << t.name;
      EXPECT_EQ((*file)->Find(t.name), &t);
    }
    std::sort(golden.begin(), golden.end());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, golden);
    EXPECT_EQ((*file)->metadata(), (std::map<std::string, std::string>{{"format", "pt"}}));
    EXPECT_EQ((*file)->Find("no.such.tensor"), nullptr);
  }
}

TEST_F(SafetensorsTest, LlamaShapesAndValues) {
  auto file = SafetensorsFile::Open((kFixtures / "hf-tiny/llama/model.safetensors").string());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const TensorInfo* q = (*file)->Find("model.layers.0.self_attn.q_proj.weight");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->shape, (std::vector<int64_t>{64, 64}));
  const TensorInfo* k = (*file)->Find("model.layers.0.self_attn.k_proj.weight");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->shape, (std::vector<int64_t>{32, 64}));  // 4 kv heads x head_dim 8
  // Norm weights got +0.05*randn, so they are near 1 but not all equal to it.
  const TensorInfo* norm = (*file)->Find("model.norm.weight");
  ASSERT_NE(norm, nullptr);
  auto bytes = (*file)->Data(*norm);
  std::vector<float> values(norm->num_elements());
  std::memcpy(values.data(), bytes.data(), bytes.size());
  int not_one = 0;
  for (float v : values) {
    EXPECT_NEAR(v, 1.0f, 0.3f);
    not_one += v != 1.0f;
  }
  EXPECT_GT(not_one, 50);
}

TEST_F(SafetensorsTest, Stories260K) {
  const fs::path folder = kFixtures / "hf-real/stories260K";
  auto file = SafetensorsFile::Open((folder / "model.safetensors").string());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->tensors().size(), 47u);
  EXPECT_EQ((*file)->Find("lm_head.weight"), nullptr);  // tied to embed_tokens, not stored
  ASSERT_NE((*file)->Find("model.embed_tokens.weight"), nullptr);
  EXPECT_EQ((*file)->Find("model.embed_tokens.weight")->shape, (std::vector<int64_t>{512, 64}));
  std::vector<std::string> golden = ReadJson(folder / "golden.json")["tensor_names_in_safetensors"]
                                        .get<std::vector<std::string>>();
  std::vector<std::string> names;
  for (const TensorInfo& t : (*file)->tensors()) names.push_back(t.name);
  std::sort(golden.begin(), golden.end());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, golden);
}

// Re-serialising a fixture's tensors gives the fixture file byte for byte: our writer and the one
// that produced the fixtures (and the Rust crate's order it imitates) agree on the canonical
// format.
TEST_F(SafetensorsTest, RewritingFixturesIsByteIdentical) {
  std::vector<fs::path> files;
  for (const std::string& model : kTinyModels) files.push_back(kFixtures / "hf-tiny" / model);
  files.push_back(kFixtures / "hf-real/stories260K");
  for (const fs::path& folder : files) {
    SCOPED_TRACE(folder.string());
    auto file = SafetensorsFile::Open((folder / "model.safetensors").string());
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    std::vector<TensorToWrite> tensors;
    // Shuffled input: the writer must impose the canonical order itself.
    for (const TensorInfo& t : (*file)->tensors()) {
      tensors.push_back({t.name, t.dtype, t.shape, (*file)->Data(t)});
    }
    std::shuffle(tensors.begin(), tensors.end(), std::mt19937(7));
    const fs::path out = dir_ / "rewritten.safetensors";
    ASSERT_TRUE(WriteSafetensors(out.string(), tensors, (*file)->metadata()).ok());
    const std::string original = ReadFile(folder / "model.safetensors");
    const std::string rewritten = ReadFile(out);
    EXPECT_EQ(rewritten.size(), original.size());
    EXPECT_TRUE(rewritten == original) << "rewritten file differs from the fixture";
  }
}

// The byte vector of the Rust crate's own `test_serialization` (huggingface/safetensors,
// safetensors/src/tensor.rs): an independent check of the JSON layout and the length prefix.
TEST_F(SafetensorsTest, MatchesRustReferenceSerialization) {
  std::vector<float> values = {0, 1, 2, 3, 4, 5};
  auto header =
      SerializeSafetensorsHeader({{"attn.0", DType::kF32, {1, 2, 3}, AsBytes(values)}}, {});
  ASSERT_TRUE(header.ok());
  const std::vector<uint8_t> expected = {
      64,  0,   0,   0,   0,   0,   0,   0,   123, 34, 97, 116, 116, 110, 46,  48, 34,  58,
      123, 34,  100, 116, 121, 112, 101, 34,  58,  34, 70, 51,  50,  34,  44,  34, 115, 104,
      97,  112, 101, 34,  58,  91,  49,  44,  50,  44, 51, 93,  44,  34,  100, 97, 116, 97,
      95,  111, 102, 102, 115, 101, 116, 115, 34,  58, 91, 48,  44,  50,  52,  93, 125, 125};
  EXPECT_EQ(header->bytes, std::string(expected.begin(), expected.end()));
}

// ---------------------------------------------------------------------------- writer

TEST_F(SafetensorsTest, RoundTripAllDTypesZeroSizeScalarAndMetadata) {
  std::vector<float> f32 = {1.5f, -2.25f, 3.0f, 1e-30f, -0.0f, 7.0f};
  std::vector<uint16_t> f16 = {FloatToHalf(1.0f), FloatToHalf(-0.5f), 0x0001, 0x7c00};
  std::vector<uint16_t> bf16 = {FloatToBFloat16(3.14159f), FloatToBFloat16(-1e20f), 0x7f80};
  std::vector<int64_t> i64 = {0, -1, std::numeric_limits<int64_t>::max(),
                              std::numeric_limits<int64_t>::min()};
  std::vector<float> scalar = {42.0f};
  const std::vector<TensorToWrite> tensors = {
      {"a.f32", DType::kF32, {2, 3}, AsBytes(f32)},
      {"b.f16", DType::kF16, {4}, AsBytes(f16)},
      {"c.bf16", DType::kBF16, {3, 1}, AsBytes(bf16)},
      {"d.i64", DType::kI64, {2, 2}, AsBytes(i64)},
      {"e.empty", DType::kF32, {0, 5}, {}},
      {"f.scalar", DType::kF32, {}, AsBytes(scalar)},
      {"g.empty_bf16", DType::kBF16, {3, 0}, {}},
  };
  const std::map<std::string, std::string> metadata = {
      {"format", "pt"}, {"note", "quotes \" and \\ and\nnewline, ünïcödé"}};
  const fs::path path = dir_ / "rt.safetensors";
  Status st = WriteSafetensors(path.string(), tensors, metadata);
  ASSERT_TRUE(st.ok()) << st.ToString();

  auto file = SafetensorsFile::Open(path.string());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->metadata(), metadata);
  EXPECT_EQ((*file)->header_size() % 8, 0u);
  ASSERT_EQ((*file)->tensors().size(), tensors.size());
  for (const TensorToWrite& t : tensors) {
    SCOPED_TRACE(t.name);
    const TensorInfo* info = (*file)->Find(t.name);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->dtype, t.dtype);
    EXPECT_EQ(info->shape, t.shape);
    auto data = (*file)->Data(*info);
    ASSERT_EQ(data.size(), t.data.size());
    EXPECT_TRUE(std::equal(data.begin(), data.end(), t.data.begin()));
  }
  // Canonical order: I64, F32, BF16, F16 (Rust Dtype order, descending), then by name.
  std::vector<std::string> order;
  for (const TensorInfo& t : (*file)->tensors()) {
    if (t.num_bytes() > 0) order.push_back(t.name);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"d.i64", "a.f32", "f.scalar", "c.bf16", "b.f16"}));
  EXPECT_EQ(HalfToFloat(reinterpret_cast<const uint16_t*>(
                (*file)->Data(*(*file)->Find("b.f16")).data())[1]),
            -0.5f);
}

TEST_F(SafetensorsTest, EmptyFileRoundTrips) {
  const fs::path path = dir_ / "empty.safetensors";
  ASSERT_TRUE(WriteSafetensors(path.string(), {}, {}).ok());
  EXPECT_EQ(ReadFile(path), std::string("\x08\0\0\0\0\0\0\0{}      ", 16));
  auto file = SafetensorsFile::Open(path.string());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_TRUE((*file)->tensors().empty());
}

TEST_F(SafetensorsTest, WriteReplacesAtomicallyAndLeavesNoTempFiles) {
  const fs::path path = dir_ / "w.safetensors";
  WriteFile(path, "old contents");
  std::vector<float> v = {1, 2};
  ASSERT_TRUE(WriteSafetensors(path.string(), {{"x", DType::kF32, {2}, AsBytes(v)}}, {}).ok());
  EXPECT_TRUE(SafetensorsFile::Open(path.string()).ok());
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    ++entries;
    EXPECT_EQ(e.path().filename(), "w.safetensors");
  }
  EXPECT_EQ(entries, 1);
  // A failed write leaves the existing file untouched.
  Status bad = WriteSafetensors((dir_ / "no_such_dir/x.safetensors").string(),
                                {{"x", DType::kF32, {2}, AsBytes(v)}}, {});
  EXPECT_FALSE(bad.ok());
}

TEST_F(SafetensorsTest, WriterRejectsBadInput) {
  std::vector<float> v = {1, 2, 3};
  const std::string path = (dir_ / "bad.safetensors").string();
  Status size = WriteSafetensors(path, {{"w", DType::kF32, {2, 2}, AsBytes(v)}}, {});
  EXPECT_EQ(size.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(size.message(), AllOf(HasSubstr("\"w\""), HasSubstr("12 bytes"), HasSubstr("16")));
  Status dup = WriteSafetensors(
      path, {{"w", DType::kF32, {3}, AsBytes(v)}, {"w", DType::kF32, {3}, AsBytes(v)}}, {});
  EXPECT_EQ(dup.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(dup.message(), HasSubstr("duplicate"));
  Status reserved = WriteSafetensors(path, {{"__metadata__", DType::kF32, {3}, AsBytes(v)}}, {});
  EXPECT_EQ(reserved.code(), StatusCode::kInvalidArgument);
  Status negative = WriteSafetensors(path, {{"n", DType::kF32, {-3}, AsBytes(v)}}, {});
  EXPECT_EQ(negative.code(), StatusCode::kInvalidArgument);
  Status utf8 = WriteSafetensors(path, {{"bad\xff", DType::kF32, {3}, AsBytes(v)}}, {});
  EXPECT_EQ(utf8.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(utf8.message(), HasSubstr("UTF-8"));
  EXPECT_FALSE(fs::exists(path));
}

// ---------------------------------------------------------------------------- bad files

// Expects an error with `code` whose message names the file and contains every `parts`.
void ExpectError(const Status& st, StatusCode code, const std::vector<std::string>& parts) {
  EXPECT_EQ(st.code(), code) << st.ToString();
  EXPECT_THAT(st.message(), HasSubstr("t.safetensors"));
  for (const std::string& p : parts) EXPECT_THAT(st.message(), HasSubstr(p));
}

TEST_F(SafetensorsTest, RejectsTruncatedFixture) {
  std::string image = ReadFile(kFixtures / "hf-tiny/llama/model.safetensors");
  image.resize(image.size() - 100);
  auto file = OpenImage(image);
  // The last tensor in data order (names sort last within F32) runs past the end.
  ExpectError(file.status(), StatusCode::kDataLoss,
              {"truncated", "model.norm.weight", "beyond the end of the data section"});
}

TEST_F(SafetensorsTest, RejectsShortFilesAndBadHeaderLengths) {
  ExpectError(OpenImage("").status(), StatusCode::kDataLoss, {"0 bytes", "truncated"});
  ExpectError(OpenImage("abc").status(), StatusCode::kDataLoss, {"3 bytes"});

  std::string image = MakeImage("{}", 0);
  const uint64_t huge = uint64_t{1} << 40;
  std::memcpy(image.data(), &huge, 8);
  ExpectError(OpenImage(image).status(), StatusCode::kInvalidArgument,
              {"header length 1099511627776", "exceeds the limit"});

  image = MakeImage("{}", 0);
  const uint64_t too_long = 3;
  std::memcpy(image.data(), &too_long, 8);
  ExpectError(OpenImage(image).status(), StatusCode::kDataLoss,
              {"header length 3", "larger than the 2 bytes", "truncated"});
}

TEST_F(SafetensorsTest, RejectsMalformedHeaders) {
  struct Case {
    std::string json;
    size_t data;
    StatusCode code;
    std::vector<std::string> parts;
  };
  const std::string ok_a = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  const std::vector<Case> cases = {
      {"{not json", 0, StatusCode::kInvalidArgument, {"not valid JSON"}},
      {"", 0, StatusCode::kInvalidArgument, {"not valid JSON"}},
      {std::string("{}\0\0\0\0\0\0", 8), 0, StatusCode::kInvalidArgument, {"NUL byte at offset 2"}},
      {std::string(1000, '['), 0, StatusCode::kInvalidArgument, {"more than 16 levels deep"}},
      {"{\"" + std::string(100000, 'a'), 0, StatusCode::kInvalidArgument, {"not valid JSON"}},
      {"[1,2]", 0, StatusCode::kInvalidArgument, {"a JSON array", "expected a JSON object"}},
      {R"({"a":3})", 0, StatusCode::kInvalidArgument, {"\"a\"", "expected an object"}},
      {R"({"a":{"shape":[2],"data_offsets":[0,8]}})",
       8,
       StatusCode::kInvalidArgument,
       {"\"a\"", "missing \"dtype\""}},
      {R"({"a":{"dtype":"F32","data_offsets":[0,8]}})",
       8,
       StatusCode::kInvalidArgument,
       {"\"a\"", "missing \"shape\""}},
      {R"({"a":{"dtype":"F32","shape":[2]}})",
       8,
       StatusCode::kInvalidArgument,
       {"\"a\"", "missing \"data_offsets\""}},
      {R"({"a":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}})",
       8,
       StatusCode::kInvalidArgument,
       {"\"a\"", "\"F8_E4M3\"", "does not support", "supported: F32, F16, BF16, I64"}},
      {R"({"a":{"dtype":"X","shape":[8],"data_offsets":[0,8]}})",
       8,
       StatusCode::kInvalidArgument,
       {"\"a\"", "unknown dtype \"X\"", "supported: F32, F16, BF16, I64"}},
      {R"({"a":{"dtype":5,"shape":[8],"data_offsets":[0,8]}})",
       8,
       StatusCode::kInvalidArgument,
       {"\"a\"", "\"dtype\" is 5"}},
      {R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})",
       8,
       StatusCode::kInvalidArgument,
       {"\"a\"", "shape[0] is -2", "non-negative integer"}},
      {R"({"a":{"dtype":"F32","shape":[1,2.5],"data_offsets":[0,8]}})",
       8,
       StatusCode::kInvalidArgument,
       {"\"a\"", "shape[1] is 2.5"}},
      {R"({"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}})",
       8,
       StatusCode::kInvalidArgument,
       {"\"a\"", "shape[0] is the string \"2\""}},
      {R"({"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}})",
       8,
       StatusCode::kInvalidArgument,
       {"\"a\"", "\"shape\" is 2"}},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})",
       8,
       StatusCode::kInvalidArgument,
       {"\"a\"", "[8, 0]", "begin > end"}},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]}})",
       8,
       StatusCode::kInvalidArgument,
       {"\"a\"", "expected [begin, end]"}},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,-8]}})",
       8,
       StatusCode::kInvalidArgument,
       {"\"a\"", "expected [begin, end]"}},
      {R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
       8,
       StatusCode::kInvalidArgument,
       {"\"a\"", "span 8 bytes", "[3] of F32 needs 12 bytes"}},
      {R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
       8,
       StatusCode::kInvalidArgument,
       {"\"a\"", "overflows"}},
      {R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})",
       8,
       StatusCode::kDataLoss,
       {"\"a\"", "end 16", "beyond the end of the data section (8 bytes)", "truncated"}},
      {"{" + ok_a + R"(,"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
       12,
       StatusCode::kInvalidArgument,
       {"\"a\"", "\"b\"", "overlap"}},
      {"{" + ok_a + R"(,"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
       8,
       StatusCode::kInvalidArgument,
       {"\"a\"", "\"b\"", "overlap"}},
      {"{" + ok_a + R"(,"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}})",
       16,
       StatusCode::kInvalidArgument,
       {"bytes 8..12", "gap between \"a\" and \"b\"", "contiguously"}},
      {R"({"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
       8,
       StatusCode::kInvalidArgument,
       {"bytes 0..4", "gap before \"b\""}},
      {"{" + ok_a + "}",
       12,
       StatusCode::kInvalidArgument,
       {"data section is 12 bytes", "cover only the first 8"}},
      {"{\"__metadata__\":{\"format\":1}," + ok_a + "}",
       8,
       StatusCode::kInvalidArgument,
       {"\"__metadata__\" field \"format\"", "expected a string"}},
      {"{\"__metadata__\":[\"pt\"]," + ok_a + "}",
       8,
       StatusCode::kInvalidArgument,
       {"\"__metadata__\" is a JSON array"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json.substr(0, 200));
    Status st = OpenImage(MakeImage(c.json, c.data)).status();
    ExpectError(st, c.code, c.parts);
    EXPECT_LT(st.message().size(), 1000u);  // a hostile header must not make a huge message
  }
}

TEST_F(SafetensorsTest, AcceptsValidEdgeCases) {
  // Zero-size tensors anywhere, including two at the same offset; null metadata; padding spaces.
  const std::string json =
      R"({"__metadata__":null,"z1":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},)"
      R"("a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},)"
      R"("z2":{"dtype":"BF16","shape":[2,0],"data_offsets":[8,8]},)"
      R"("z3":{"dtype":"F16","shape":[0],"data_offsets":[8,8]},)"
      R"("s":{"dtype":"F16","shape":[],"data_offsets":[8,10]}}    )";
  auto file = OpenImage(MakeImage(json, 10));
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->tensors().size(), 5u);
  EXPECT_TRUE((*file)->metadata().empty());
  EXPECT_EQ((*file)->Data(*(*file)->Find("z2")).size(), 0u);
  EXPECT_EQ((*file)->Find("s")->num_elements(), 1u);
  EXPECT_EQ((*file)->Data(*(*file)->Find("s")).size(), 2u);
}

TEST_F(SafetensorsTest, OpenReportsMissingFilesAndDirectories) {
  auto missing = SafetensorsFile::Open((dir_ / "nope.safetensors").string());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("nope.safetensors"));
  auto dir = SafetensorsFile::Open(dir_.string());
  EXPECT_EQ(dir.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(dir.status().message(), HasSubstr("not a regular file"));
}

// Random mutations of a valid file's header bytes: the reader must return (OK or an error) and
// never crash, hang or hand out a span outside the file. Run under ASan/UBSan to catch silent
// overreads.
TEST_F(SafetensorsTest, RandomHeaderMutationsNeverCrash) {
  std::vector<float> f32 = {1, 2, 3, 4, 5, 6};
  std::vector<uint16_t> f16 = {1, 2, 3};
  std::vector<int64_t> i64 = {7, 8};
  auto header = SerializeSafetensorsHeader({{"w.f32", DType::kF32, {2, 3}, AsBytes(f32)},
                                            {"w.f16", DType::kF16, {3}, AsBytes(f16)},
                                            {"w.i64", DType::kI64, {2}, AsBytes(i64)},
                                            {"w.empty", DType::kBF16, {0}, {}}},
                                           {{"format", "pt"}});
  ASSERT_TRUE(header.ok());
  std::string valid = header->bytes;
  valid.append(reinterpret_cast<const char*>(i64.data()), 16);
  valid.append(reinterpret_cast<const char*>(f32.data()), 24);
  valid.append(reinterpret_cast<const char*>(f16.data()), 6);
  ASSERT_TRUE(ParseSafetensorsHeader(AsBytes(valid), "valid").ok());

  const std::string alphabet = "0123456789-.e\"{}[],: FIB_x\x80\xff";
  const uint32_t seed = 20231128;
  std::mt19937 rng(seed);
  int accepted = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    std::string image = valid;
    const int mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations; ++m) {
      const size_t header_end = std::min(image.size(), header->bytes.size());
      const size_t pos = rng() % header_end;  // prefix and JSON
      switch (rng() % 4) {
        case 0:
          image[pos] = static_cast<char>(rng());
          break;
        case 1:
          image[pos] = alphabet[rng() % alphabet.size()];
          break;
        case 2:
          image.erase(pos, 1 + rng() % 3);
          break;
        case 3:
          image.insert(pos, 1, alphabet[rng() % alphabet.size()]);
          break;
      }
    }
    if (rng() % 8 == 0) image.resize(rng() % (image.size() + 1));
    auto parsed = ParseSafetensorsHeader(AsBytes(image), "mutant");
    if (!parsed.ok()) {
      EXPECT_NE(parsed.status().code(), StatusCode::kInternal) << parsed.status().ToString();
      EXPECT_FALSE(parsed.status().message().empty());
      continue;
    }
    ++accepted;
    EXPECT_EQ(8 + parsed->header_size + parsed->data_size, image.size());
    uint64_t covered = 0;
    for (const TensorInfo& t : parsed->tensors) {
      EXPECT_EQ(t.begin, covered) << "seed " << seed << " iteration " << iter;
      EXPECT_EQ(t.num_bytes(), t.num_elements() * DTypeSize(t.dtype));
      covered = t.end;
    }
    EXPECT_EQ(covered, parsed->data_size);
    if (iter % 16 == 0) {  // the mmap path too, less often (it touches the file system)
      auto file = OpenImage(image);
      ASSERT_TRUE(file.ok()) << file.status().ToString();
      for (const TensorInfo& t : (*file)->tensors()) {
        auto data = (*file)->Data(t);
        unsigned sum = 0;
        for (std::byte b : data) sum += static_cast<unsigned>(b);  // ASan flags an overread
        EXPECT_GE(sum, 0u);
      }
    }
  }
  // Mutations such as a changed digit inside a name keep the file valid; the loop is not all noise.
  EXPECT_GT(accepted, 10);
  std::cout << "mutants accepted: " << accepted << " of 4000\n";
}

// ---------------------------------------------------------------------------- checkpoints

TEST_F(SafetensorsTest, CheckpointSingleFile) {
  auto ckpt = Checkpoint::Open((kFixtures / "hf-tiny/bert").string());
  ASSERT_TRUE(ckpt.ok()) << ckpt.status().ToString();
  std::vector<std::string> golden = ReadJson(kFixtures / "hf-tiny/bert/golden.json")["tensor_names"]
                                        .get<std::vector<std::string>>();
  std::sort(golden.begin(), golden.end());
  EXPECT_EQ((*ckpt)->names(), golden);
  EXPECT_EQ((*ckpt)->files().size(), 1u);
  const CheckpointTensor* t = (*ckpt)->Find("classifier.weight");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->info->shape, (std::vector<int64_t>{5, 64}));
  EXPECT_EQ((*ckpt)->Find("nope"), nullptr);
}

// Splits the llama fixture into two shards plus an index, as save_pretrained(max_shard_size=...)
// would, and returns the tensor -> shard map it wrote.
std::map<std::string, std::string> WriteShardedLlama(const fs::path& dir) {
  auto file = SafetensorsFile::Open((kFixtures / "hf-tiny/llama/model.safetensors").string());
  EXPECT_TRUE(file.ok());
  std::vector<TensorToWrite> shard[2];
  std::map<std::string, std::string> weight_map;
  const std::string names[2] = {"model-00001-of-00002.safetensors",
                                "model-00002-of-00002.safetensors"};
  size_t i = 0;
  for (const TensorInfo& t : (*file)->tensors()) {
    const int s = i++ < (*file)->tensors().size() / 2 ? 0 : 1;
    shard[s].push_back({t.name, t.dtype, t.shape, (*file)->Data(t)});
    weight_map[t.name] = names[s];
  }
  for (int s = 0; s < 2; ++s) {
    EXPECT_TRUE(WriteSafetensors((dir / names[s]).string(), shard[s], {{"format", "pt"}}).ok());
  }
  Json index = {{"metadata", {{"total_size", 625920}}}, {"weight_map", weight_map}};
  WriteFile(dir / "model.safetensors.index.json", index.dump(2));
  return weight_map;
}

TEST_F(SafetensorsTest, CheckpointShardedMatchesSingleFile) {
  const std::map<std::string, std::string> weight_map = WriteShardedLlama(dir_);
  auto sharded = Checkpoint::Open(dir_.string());
  ASSERT_TRUE(sharded.ok()) << sharded.status().ToString();
  auto single = Checkpoint::Open((kFixtures / "hf-tiny/llama").string());
  ASSERT_TRUE(single.ok()) << single.status().ToString();
  EXPECT_EQ((*sharded)->files().size(), 2u);
  EXPECT_EQ((*sharded)->names(), (*single)->names());
  for (const std::string& name : (*single)->names()) {
    SCOPED_TRACE(name);
    const CheckpointTensor* a = (*single)->Find(name);
    const CheckpointTensor* b = (*sharded)->Find(name);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(fs::path(b->file->path()).filename(), weight_map.at(name));
    EXPECT_EQ(a->info->shape, b->info->shape);
    auto da = a->file->Data(*a->info), db = b->file->Data(*b->info);
    ASSERT_EQ(da.size(), db.size());
    EXPECT_TRUE(std::equal(da.begin(), da.end(), db.begin()));
  }
}

TEST_F(SafetensorsTest, CheckpointErrors) {
  auto none = Checkpoint::Open(dir_.string());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(none.status().message(),
              AllOf(HasSubstr(dir_.string()), HasSubstr("\"model.safetensors\""),
                    HasSubstr("\"model.safetensors.index.json\"")));

  WriteShardedLlama(dir_);
  fs::remove(dir_ / "model-00002-of-00002.safetensors");
  auto missing = Checkpoint::Open(dir_.string());
  EXPECT_EQ(missing.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(missing.status().message(), AllOf(HasSubstr("model.safetensors.index.json"),
                                                HasSubstr("\"model-00002-of-00002.safetensors\""),
                                                HasSubstr("does not exist")));

  WriteShardedLlama(dir_);
  Json index = ReadJson(dir_ / "model.safetensors.index.json");
  index["weight_map"]["ghost.weight"] = "model-00001-of-00002.safetensors";
  WriteFile(dir_ / "model.safetensors.index.json", index.dump());
  auto ghost = Checkpoint::Open(dir_.string());
  EXPECT_EQ(ghost.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(ghost.status().message(),
              AllOf(HasSubstr("\"ghost.weight\""), HasSubstr("model-00001-of-00002.safetensors"),
                    HasSubstr("no such tensor")));

  index["weight_map"].erase("ghost.weight");
  index["weight_map"]["lm_head.weight"] = "../escape.safetensors";
  WriteFile(dir_ / "model.safetensors.index.json", index.dump());
  auto escape = Checkpoint::Open(dir_.string());
  EXPECT_EQ(escape.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(escape.status().message(), HasSubstr("\"lm_head.weight\""));

  WriteFile(dir_ / "model.safetensors.index.json", "{\"weight_map\": ");
  auto bad_json = Checkpoint::Open(dir_.string());
  EXPECT_EQ(bad_json.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_json.status().message(),
              AllOf(HasSubstr("model.safetensors.index.json"), HasSubstr("not valid JSON")));

  WriteFile(dir_ / "model.safetensors.index.json", "{\"metadata\": {}}");
  auto no_map = Checkpoint::Open(dir_.string());
  EXPECT_EQ(no_map.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(no_map.status().message(), HasSubstr("weight_map"));

  // A corrupt shard surfaces the shard's own error.
  WriteShardedLlama(dir_);
  fs::resize_file(dir_ / "model-00001-of-00002.safetensors", 100);
  auto corrupt = Checkpoint::Open(dir_.string());
  EXPECT_EQ(corrupt.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(corrupt.status().message(), HasSubstr("model-00001-of-00002.safetensors"));
}

}  // namespace
}  // namespace augsweep
