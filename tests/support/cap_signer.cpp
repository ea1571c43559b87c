#include "support/cap_signer.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/crypto.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "support/process.hpp"

namespace loa::test {
namespace {

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct DSigCtxFree {
  void operator()(xmlSecDSigCtx* c) const { xmlSecDSigCtxDestroy(c); }
};

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    if (xmlSecInit() < 0 || xmlSecCryptoAppInit(nullptr) < 0 || xmlSecCryptoInit() < 0) {
      throw std::runtime_error("xmlsec1 did not initialise");
    }
  });
}

}  // namespace

std::string sign_cap(const std::string& xml, const std::string& private_key_pem_file, bool sender_only) {
  init();
  std::unique_ptr<xmlDoc, DocFree> doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "cap.xml", nullptr, 0));
  if (!doc) throw std::runtime_error("sign_cap: not XML");
  xmlNode* signature = xmlSecTmplSignatureCreate(doc.get(), xmlSecTransformExclC14NId, xmlSecTransformRsaSha256Id, nullptr);
  xmlAddChild(xmlDocGetRootElement(doc.get()), signature);
  xmlNode* reference = xmlSecTmplSignatureAddReference(signature, xmlSecTransformSha256Id, nullptr,
                                                       reinterpret_cast<const xmlChar*>(""), nullptr);
  xmlSecTmplReferenceAddTransform(reference, xmlSecTransformEnvelopedId);
  if (sender_only) {
    xmlNode* xpath = xmlSecTmplReferenceAddTransform(reference, xmlSecTransformXPathId);
    xmlSecTmplTransformAddXPath(xpath, reinterpret_cast<const xmlChar*>("ancestor-or-self::*[local-name()='sender']"),
                                nullptr);
  }
  xmlSecTmplReferenceAddTransform(reference, xmlSecTransformExclC14NId);
  xmlSecTmplKeyInfoAddKeyValue(xmlSecTmplSignatureEnsureKeyInfo(signature, nullptr));
  std::unique_ptr<xmlSecDSigCtx, DSigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
  ctx->signKey = xmlSecCryptoAppKeyLoad(private_key_pem_file.c_str(), xmlSecKeyDataFormatPem, nullptr, nullptr, nullptr);
  if (!ctx->signKey) throw std::runtime_error("sign_cap: cannot load " + private_key_pem_file);
  if (xmlSecDSigCtxSign(ctx.get(), signature) < 0) throw std::runtime_error("sign_cap: signing failed");
  xmlChar* out = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc.get(), &out, &size, "UTF-8");
  std::string signed_xml(reinterpret_cast<const char*>(out), static_cast<std::size_t>(size));
  xmlFree(out);
  return signed_xml;
}

std::string make_signing_key(const std::string& dir) {
  std::filesystem::create_directories(dir);
  for (const auto& command : {"openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " + dir + "/key.pem",
                              "openssl pkey -in " + dir + "/key.pem -pubout -out " + dir + "/public.pem",
                              "openssl req -x509 -new -key " + dir + "/key.pem -subj /CN=cap-feed -days 30 -out " + dir +
                                  "/cert.pem"}) {
    auto r = run_command(command + " 2>&1");
    if (r.exit_code != 0) throw std::runtime_error(command + ": " + r.out);
  }
  return dir;
}

}  // namespace loa::test
