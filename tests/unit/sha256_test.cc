#include "common/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace augsweep {
namespace {

TEST(Sha256Test, KnownVectors) {
  // FIPS 180-4 example vectors.
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, IncrementalEqualsOneShot) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += static_cast<char>(i * 7 + 3);
  for (size_t split : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 999u}) {
    Sha256 sha;
    sha.Update(std::string_view(data).substr(0, split));
    sha.Update(std::string_view(data).substr(split));
    EXPECT_EQ(sha.HexDigest(), Sha256Hex(data)) << "split at " << split;
  }
}

TEST(ContentHasherTest, FieldBoundariesDoNotCollide) {
  EXPECT_NE(ContentHasher().Add("a", "bc").HexDigest(), ContentHasher().Add("ab", "c").HexDigest());
  EXPECT_NE(ContentHasher().Add("x", "1").HexDigest(), ContentHasher().AddInt("x", 1).HexDigest());
  EXPECT_NE(ContentHasher().AddDouble("t", 0.7).HexDigest(),
            ContentHasher().AddDouble("t", 0.70000000000000018).HexDigest());
  EXPECT_EQ(ContentHasher().AddDouble("t", 0.0).HexDigest(),
            ContentHasher().AddDouble("t", -0.0).HexDigest());
  EXPECT_EQ(ContentHasher().Add("a", "b").AddInt("n", 3).HexDigest(),
            ContentHasher().Add("a", "b").AddInt("n", 3).HexDigest());
}

}  // namespace
}  // namespace augsweep
