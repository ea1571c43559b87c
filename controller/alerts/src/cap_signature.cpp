#include "cap_signature.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/app.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <mutex>

#include "loa/log/log.hpp"

namespace loa::alerts {
namespace {

const log::Logger kLog("alerts");

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct KeyFree {
  void operator()(xmlSecKey* k) const { xmlSecKeyDestroy(k); }
};
struct DSigCtxFree {
  void operator()(xmlSecDSigCtx* c) const { xmlSecDSigCtxDestroy(c); }
};

// xmlsec's own complaints go to the log at debug level: a forged message must not fill
// stderr, and the verdict is reported once, by the caller.
void quiet_errors(const char* file, int line, const char* func, const char* object, const char* subject, int reason,
                  const char* msg) {
  kLog.debug("xmlsec: {}:{} {} object={} subject={} reason={} {}", file ? file : "", line, func ? func : "",
             object ? object : "", subject ? subject : "", reason, msg ? msg : "");
}

// xmlsec and its crypto engine are set up once for the process and never torn down
// (other parts of the controller use libxml2 too).
void init_xmlsec() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(nullptr) < 0 || xmlSecCryptoInit() < 0) {
      throw CapKeyError("the XML security library (xmlsec1) could not be initialised");
    }
    xmlSecErrorsSetCallback(quiet_errors);
  });
}

xmlSecKey* load_key(const std::string& pem) {
  const auto* data = reinterpret_cast<const xmlSecByte*>(pem.data());
  const auto size = static_cast<xmlSecSize>(pem.size());
  // A certificate (as NAADS publishes) or a bare public key.
  const bool certificate = pem.find("BEGIN CERTIFICATE") != std::string::npos;
  return xmlSecCryptoAppKeyLoadMemory(data, size, certificate ? xmlSecKeyDataFormatCertPem : xmlSecKeyDataFormatPem,
                                      nullptr, nullptr, nullptr);
}

}  // namespace

struct CapSignatureVerifier::Keys {
  std::vector<std::pair<std::string, std::unique_ptr<xmlSecKey, KeyFree>>> by_source;
};

CapSignatureVerifier::CapSignatureVerifier(const std::vector<SourceKey>& keys) : keys_(std::make_unique<Keys>()) {
  if (keys.empty()) return;
  init_xmlsec();
  for (const auto& k : keys) {
    std::unique_ptr<xmlSecKey, KeyFree> key(load_key(k.pem));
    if (!key) throw CapKeyError("CAP source " + k.source + ": its signing key is not a PEM public key or certificate");
    keys_->by_source.emplace_back(k.source, std::move(key));
  }
}

CapSignatureVerifier::~CapSignatureVerifier() = default;

CapSignatureVerifier::Result CapSignatureVerifier::verify(const std::string& xml) const {
  using Outcome = Result::Outcome;
  Result r;
  if (xml.find("http://www.w3.org/2000/09/xmldsig#") == std::string::npos) return r;  // unsigned: nothing to parse
  auto invalid = [&](std::string why) {
    r.outcome = Outcome::invalid;
    r.detail = std::move(why);
    return r;
  };
  if (keys_->by_source.empty()) return invalid("it is signed, but no CAP source has a signing key configured");
  // No network, no external entities: the signature is checked on exactly these bytes.
  std::unique_ptr<xmlDoc, DocFree> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "cap.xml", nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                                                     XML_PARSE_NOWARNING));
  if (!doc) return invalid("it is not well-formed XML");
  xmlNode* root = xmlDocGetRootElement(doc.get());
  xmlNode* signature = root ? xmlSecFindChild(root, xmlSecNodeSignature, xmlSecDSigNs) : nullptr;
  if (!signature) {
    if (root && xmlSecFindNode(root, xmlSecNodeSignature, xmlSecDSigNs)) {
      return invalid("its signature is not enveloped in <alert>");
    }
    return r;  // the namespace was mentioned, but nothing is signed
  }
  std::string last_failure = "its signature does not verify with any CAP source's key";
  for (const auto& [source, key] : keys_->by_source) {
    std::unique_ptr<xmlSecDSigCtx, DSigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
    if (!ctx) return invalid("out of memory verifying its signature");
    ctx->signKey = xmlSecKeyDuplicate(key.get());  // the context frees its own copy
    // The whole document and nothing else: no references by id or to other files, and
    // no transform (XPath, XSLT) that could leave part of the message unsigned. The
    // reference's digest is one of its transforms too.
    ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty;
    for (auto id : {xmlSecTransformEnvelopedId, xmlSecTransformInclC14NId, xmlSecTransformInclC14NWithCommentsId,
                    xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId, xmlSecTransformSha1Id,
                    xmlSecTransformSha256Id, xmlSecTransformSha384Id, xmlSecTransformSha512Id}) {
      if (xmlSecDSigCtxEnableReferenceTransform(ctx.get(), id) < 0) return invalid("cannot set up the verification");
    }
    if (xmlSecDSigCtxVerify(ctx.get(), signature) < 0) {
      last_failure = "its signature could not be checked (unsupported or malformed <Signature>)";
      continue;
    }
    if (ctx->status != xmlSecDSigStatusSucceeded) continue;
    if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1) {
      return invalid("its signature has more than one reference");
    }
    r.outcome = Outcome::verified;
    r.source = source;
    return r;
  }
  return invalid(last_failure);
}

}  // namespace loa::alerts
