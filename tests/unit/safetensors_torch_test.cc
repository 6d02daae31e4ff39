// Tests for common/safetensors/torch_bridge: loading into at::Tensor, saving from it, and the plain
// C++ F16/BF16 helpers against torch's own conversions.
#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>

#include "common/safetensors/checkpoint.h"
#include "common/safetensors/half.h"
#include "common/safetensors/safetensors.h"
#include "common/safetensors/torch_bridge.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

const fs::path kFixtures = AUGSWEEP_FIXTURES_DIR;

class SafetensorsTorchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("augsweep_safetensors_torch_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(SafetensorsTorchTest, LoadAllEqualsRawFloats) {
  for (const char* model : {"hf-tiny/llama", "hf-tiny/xlnet", "hf-real/stories260K"}) {
    SCOPED_TRACE(model);
    auto ckpt = Checkpoint::Open((kFixtures / model).string());
    ASSERT_TRUE(ckpt.ok()) << ckpt.status().ToString();
    auto tensors = LoadAll(**ckpt);
    ASSERT_TRUE(tensors.ok()) << tensors.status().ToString();
    ASSERT_EQ(tensors->size(), (*ckpt)->names().size());
    for (const auto& [name, tensor] : *tensors) {
      const CheckpointTensor* t = (*ckpt)->Find(name);
      ASSERT_NE(t, nullptr);
      EXPECT_EQ(tensor.scalar_type(), at::kFloat) << name;
      EXPECT_EQ(tensor.sizes().vec(), t->info->shape) << name;
      EXPECT_TRUE(tensor.is_contiguous());
      auto raw = t->file->Data(*t->info);
      std::vector<float> expected(t->info->num_elements());
      std::memcpy(expected.data(), raw.data(), raw.size());
      const float* got = tensor.data_ptr<float>();
      for (size_t i = 0; i < expected.size(); ++i) {
        ASSERT_EQ(std::bit_cast<uint32_t>(got[i]), std::bit_cast<uint32_t>(expected[i]))
            << name << "[" << i << "]";
      }
    }
  }
}

TEST_F(SafetensorsTorchTest, LoadedTensorOutlivesFile) {
  at::Tensor embed;
  {
    auto file =
        SafetensorsFile::Open((kFixtures / "hf-real/stories260K/model.safetensors").string());
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    auto t = LoadTensor(**file, *(*file)->Find("model.embed_tokens.weight"));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    embed = *t;
  }  // unmapped here
  EXPECT_EQ(embed.sizes().vec(), (std::vector<int64_t>{512, 64}));
  EXPECT_TRUE(std::isfinite(embed.abs().sum().item<float>()));
  EXPECT_GT(embed.abs().sum().item<float>(), 0.0f);
}

TEST_F(SafetensorsTorchTest, RoundTripBf16F16F32I64) {
  at::manual_seed(11);
  std::map<std::string, at::Tensor> tensors = {
      {"w.bf16", at::randn({7, 5}).to(at::kBFloat16)},
      {"w.f16", at::randn({3, 4, 2}).to(at::kHalf)},
      {"w.f32.transposed", at::randn({4, 6}).t()},  // non-contiguous input
      {"ids.i64", at::arange(-5, 5, at::kLong)},
      {"empty.bf16", at::empty({0, 3}, at::kBFloat16)},
      {"scalar.f16", at::scalar_tensor(0.333, at::kHalf)},
  };
  const std::string path = (dir_ / "rt.safetensors").string();
  Status st = SaveTensors(path, tensors, {{"format", "pt"}});
  ASSERT_TRUE(st.ok()) << st.ToString();

  auto file = SafetensorsFile::Open(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->metadata().at("format"), "pt");
  EXPECT_EQ((*file)->Find("w.bf16")->dtype, DType::kBF16);
  EXPECT_EQ((*file)->Find("w.f16")->dtype, DType::kF16);
  EXPECT_EQ((*file)->Find("ids.i64")->dtype, DType::kI64);
  EXPECT_EQ((*file)->Find("w.f32.transposed")->shape, (std::vector<int64_t>{6, 4}));
  for (const auto& [name, original] : tensors) {
    SCOPED_TRACE(name);
    const TensorInfo* info = (*file)->Find(name);
    ASSERT_NE(info, nullptr);
    auto loaded = LoadTensor(**file, *info);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    EXPECT_EQ(loaded->scalar_type(), original.scalar_type());
    EXPECT_EQ(loaded->sizes(), original.sizes());
    EXPECT_TRUE(at::equal(*loaded, original));
  }
  // The plain C++ helpers read the stored halves the way torch does.
  auto bf16 = (*file)->Data(*(*file)->Find("w.bf16"));
  at::Tensor as_float = tensors["w.bf16"].to(at::kFloat).contiguous();
  for (int64_t i = 0; i < as_float.numel(); ++i) {
    uint16_t bits;
    std::memcpy(&bits, bf16.data() + 2 * i, 2);
    EXPECT_EQ(BFloat16ToFloat(bits), as_float.data_ptr<float>()[i]);
  }
}

TEST_F(SafetensorsTorchTest, SaveRejectsUnsupportedDType) {
  Status st = SaveTensors((dir_ / "x.safetensors").string(),
                          {{"ok", at::zeros({2})}, {"counts", at::zeros({2}, at::kInt)}});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(),
              AllOf(HasSubstr("\"counts\""), HasSubstr("Int"), HasSubstr("F32, F16, BF16, I64")));
  EXPECT_FALSE(fs::exists(dir_ / "x.safetensors"));
}

// half.h must agree with c10::Half / c10::BFloat16 bit for bit (NaN payloads aside).
TEST(HalfVsTorchTest, MatchesC10Conversions) {
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    const float mine = HalfToFloat(static_cast<uint16_t>(h));
    const float theirs =
        static_cast<float>(c10::Half(static_cast<uint16_t>(h), c10::Half::from_bits()));
    if (std::isnan(theirs)) {
      EXPECT_TRUE(std::isnan(mine)) << std::hex << h;
    } else {
      EXPECT_EQ(std::bit_cast<uint32_t>(mine), std::bit_cast<uint32_t>(theirs)) << std::hex << h;
    }
  }
  std::mt19937 rng(5);
  for (int i = 0; i < 200000; ++i) {
    // Random bit patterns cover every exponent; every 4th is steered into the half subnormal range.
    uint32_t bits = rng();
    if (i % 4 == 0) bits = (bits & 0x807fffffu) | ((101u + rng() % 13) << 23);
    const float f = std::bit_cast<float>(bits);
    if (std::isnan(f)) continue;
    EXPECT_EQ(FloatToHalf(f), c10::Half(f).x) << f;
    EXPECT_EQ(FloatToBFloat16(f), c10::BFloat16(f).x) << f;
  }
}

}  // namespace
}  // namespace augsweep
