#include "auth/test_token_signer.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <unistd.h>

#include <array>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace iiot::auth::testing {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct SigFree {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

KeyPair pem_pair(EVP_PKEY* key) {
  std::unique_ptr<BIO, BioFree> priv(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, BioFree> pub(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(priv.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  check(PEM_write_bio_PUBKEY(pub.get(), key) == 1, "PEM_write_bio_PUBKEY");
  return {bio_text(priv.get()), bio_text(pub.get())};
}

const EVP_MD* digest_of(std::string_view alg) {
  if (alg.ends_with("256")) return EVP_sha256();
  if (alg.ends_with("384")) return EVP_sha384();
  if (alg.ends_with("512")) return EVP_sha512();
  throw std::invalid_argument("unknown algorithm " + std::string(alg));
}

std::string sign_with_private_key(std::string_view alg, std::string_view input,
                                  std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  check(key != nullptr, "PEM_read_bio_PrivateKey");
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  check(EVP_DigestSignInit(ctx.get(), nullptr, digest_of(alg), nullptr, key.get()) == 1,
        "EVP_DigestSignInit");
  std::size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  check(EVP_DigestSign(ctx.get(), nullptr, &length, data, input.size()) == 1, "EVP_DigestSign");
  std::string signature(length, '\0');
  check(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                       input.size()) == 1,
        "EVP_DigestSign");
  signature.resize(length);
  if (!alg.starts_with("ES")) return signature;
  // JWS wants R || S, each 32 bytes for P-256, not OpenSSL's DER.
  const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
  std::unique_ptr<ECDSA_SIG, SigFree> sig(
      d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size())));
  check(sig != nullptr, "d2i_ECDSA_SIG");
  std::string raw(64, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  check(BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, 32) == 32, "BN_bn2binpad");
  check(BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + 32, 32) == 32, "BN_bn2binpad");
  return raw;
}

}  // namespace

KeyPair make_rsa_key(int bits) {
  Pkey key(EVP_RSA_gen(static_cast<unsigned int>(bits)));
  check(key != nullptr, "EVP_RSA_gen");
  return pem_pair(key.get());
}

KeyPair make_ec_p256_key() {
  Pkey key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EVP_EC_gen");
  return pem_pair(key.get());
}

std::string base64url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::string sign_jwt(std::string_view alg, const boost::json::object& claims, std::string_view key,
                     const boost::json::object& header) {
  boost::json::object head{{"alg", alg}, {"typ", "JWT"}};
  for (const auto& entry : header) head[entry.key()] = entry.value();
  const std::string input =
      base64url(boost::json::serialize(head)) + "." + base64url(boost::json::serialize(claims));
  std::string signature;
  if (alg.starts_with("HS")) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int length = 0;
    check(HMAC(digest_of(alg), key.data(), static_cast<int>(key.size()),
               reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac.data(),
               &length) != nullptr,
          "HMAC");
    signature.assign(reinterpret_cast<const char*>(mac.data()), length);
  } else if (!key.empty()) {
    signature = sign_with_private_key(alg, input, key);
  }
  return input + "." + base64url(signature);
}

std::string write_temp_file(std::string_view name, std::string_view text) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("iiot-auth-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path path = dir / std::string(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path.string();
}

}  // namespace iiot::auth::testing
