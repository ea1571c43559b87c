// libxml2 lives in this file only.
#include "loa/alerts/cap_message.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <ctime>
#include <memory>
#include <mutex>

#include "cap_schema.hpp"
#include "loa/time/clock.hpp"

namespace loa::alerts {
namespace {

constexpr const char* kCapNamespace = "urn:oasis:names:tc:emergency:cap:1.2";

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct ParserFree {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};
struct SchemaFree {
  void operator()(xmlSchema* s) const { xmlSchemaFree(s); }
};
struct SchemaParserFree {
  void operator()(xmlSchemaParserCtxt* c) const { xmlSchemaFreeParserCtxt(c); }
};
struct ValidFree {
  void operator()(xmlSchemaValidCtxt* c) const { xmlSchemaFreeValidCtxt(c); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// The compiled schema, parsed once. A compiled xmlSchema is only read by validation.
const xmlSchema* cap_schema() {
  static std::once_flag once;
  static std::unique_ptr<xmlSchema, SchemaFree> schema;
  std::call_once(once, [] {
    xmlInitParser();
    std::unique_ptr<xmlSchemaParserCtxt, SchemaParserFree> parser(
        xmlSchemaNewMemParserCtxt(kCapSchema, static_cast<int>(std::char_traits<char>::length(kCapSchema))));
    if (parser) schema.reset(xmlSchemaParse(parser.get()));
  });
  if (!schema) throw std::runtime_error("the built-in CAP schema does not compile");
  return schema.get();
}

// The first problem the schema validator reports, with its line and element.
struct FirstError {
  bool set = false;
  std::string message;
  int line = 0;
  std::string element;

  static void record(void* data, xmlErrorPtr error) {
    auto* self = static_cast<FirstError*>(data);
    if (self->set || !error) return;
    self->set = true;
    self->message = trimmed(error->message ? error->message : "invalid");
    self->line = error->line;
    if (error->node) {
      const auto* node = static_cast<const xmlNode*>(error->node);
      if (node->name) self->element = reinterpret_cast<const char*>(node->name);
      if (!self->line) self->line = static_cast<int>(xmlGetLineNo(node));
    }
  }
};

std::string text_of(const xmlNode* node) {
  xmlChar* content = xmlNodeGetContent(node);
  std::string out = content ? reinterpret_cast<const char*>(content) : "";
  xmlFree(content);
  // Trim the white space around a value (the schema allows it; nobody means it).
  const auto first = out.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = out.find_last_not_of(" \t\r\n");
  return out.substr(first, last - first + 1);
}

bool is(const xmlNode* node, const char* name) {
  return node->type == XML_ELEMENT_NODE && xmlStrcmp(node->name, reinterpret_cast<const xmlChar*>(name)) == 0;
}

template <typename F>
void for_children(const xmlNode* parent, F&& f) {
  for (const xmlNode* c = parent->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) f(c);
  }
}

std::pair<std::string, std::string> named_value(const xmlNode* node) {
  std::pair<std::string, std::string> out;
  for_children(node, [&](const xmlNode* c) {
    if (is(c, "valueName")) out.first = text_of(c);
    if (is(c, "value")) out.second = text_of(c);
  });
  return out;
}

CapInfo read_info(const xmlNode* node) {
  CapInfo info;
  for_children(node, [&](const xmlNode* c) {
    if (is(c, "language")) info.language = text_of(c);
    else if (is(c, "event")) info.event = text_of(c);
    else if (is(c, "urgency")) info.urgency = text_of(c);
    else if (is(c, "severity")) info.severity = text_of(c);
    else if (is(c, "certainty")) info.certainty = text_of(c);
    else if (is(c, "headline")) info.headline = text_of(c);
    else if (is(c, "description")) info.description = text_of(c);
    else if (is(c, "instruction")) info.instruction = text_of(c);
    else if (is(c, "expires")) info.expires = text_of(c);
    else if (is(c, "area")) {
      CapArea area;
      for_children(c, [&](const xmlNode* a) {
        if (is(a, "areaDesc")) area.description = text_of(a);
        if (is(a, "geocode")) area.geocodes.push_back(named_value(a));
      });
      info.areas.push_back(std::move(area));
    }
  });
  return info;
}

// "sender,identifier,sent sender,identifier,sent ..."
std::vector<CapReference> read_references(const std::string& text, int line) {
  std::vector<CapReference> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto start = text.find_first_not_of(" \t\r\n", pos);
    if (start == std::string::npos) break;
    auto end = text.find_first_of(" \t\r\n", start);
    if (end == std::string::npos) end = text.size();
    const auto item = text.substr(start, end - start);
    const auto a = item.find(',');
    const auto b = a == std::string::npos ? a : item.find(',', a + 1);
    if (b == std::string::npos) {
      throw CapError("a reference must read sender,identifier,sent: '" + item + "'", line, "references");
    }
    out.push_back({item.substr(0, a), item.substr(a + 1, b - a - 1), item.substr(b + 1)});
    pos = end;
  }
  return out;
}

}  // namespace

CapMessage parse_cap(std::string_view xml) {
  const xmlSchema* schema = cap_schema();
  std::unique_ptr<xmlParserCtxt, ParserFree> parser(xmlNewParserCtxt());
  if (!parser) throw std::runtime_error("out of memory");
  // No network, no entity substitution, no DTD loading: a CAP message is data only.
  DocPtr doc(xmlCtxtReadMemory(parser.get(), xml.data(), static_cast<int>(xml.size()), "cap.xml", nullptr,
                               XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR));
  if (!doc) {
    const xmlError* e = xmlCtxtGetLastError(parser.get());
    throw CapError(std::string("malformed XML: ") + trimmed(e && e->message ? e->message : "unreadable"),
                   e ? e->line : 0, "");
  }
  if (doc->intSubset || doc->extSubset) throw CapError("a CAP message may not carry a DTD", 1, "");
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!root) throw CapError("empty document", 1, "");
  const std::string ns = root->ns && root->ns->href ? reinterpret_cast<const char*>(root->ns->href) : "";
  if (!is(root, "alert") || ns != kCapNamespace) {
    throw CapError("the root element must be <alert> in the namespace " + std::string(kCapNamespace) + ", not <" +
                       reinterpret_cast<const char*>(root->name) + "> in " + (ns.empty() ? "no namespace" : ns),
                   static_cast<int>(xmlGetLineNo(root)), reinterpret_cast<const char*>(root->name));
  }
  std::unique_ptr<xmlSchemaValidCtxt, ValidFree> validator(xmlSchemaNewValidCtxt(const_cast<xmlSchema*>(schema)));
  if (!validator) throw std::runtime_error("out of memory");
  FirstError first;
  xmlSchemaSetValidStructuredErrors(validator.get(), &FirstError::record, &first);
  if (xmlSchemaValidateDoc(validator.get(), doc.get()) != 0) {
    throw CapError("not valid CAP 1.2: " + (first.set ? first.message : std::string("refused by the schema")),
                   first.line, first.element);
  }
  CapMessage m;
  int references_line = 0;
  for_children(root, [&](const xmlNode* c) {
    if (is(c, "identifier")) m.identifier = text_of(c);
    else if (is(c, "sender")) m.sender = text_of(c);
    else if (is(c, "sent")) m.sent = text_of(c);
    else if (is(c, "status")) m.status = text_of(c);
    else if (is(c, "msgType")) m.msg_type = text_of(c);
    else if (is(c, "scope")) m.scope = text_of(c);
    else if (is(c, "note")) m.note = text_of(c);
    else if (is(c, "references")) {
      references_line = static_cast<int>(xmlGetLineNo(c));
      m.references = read_references(text_of(c), references_line);
    } else if (is(c, "info")) m.infos.push_back(read_info(c));
  });
  if ((m.msg_type == "Alert" || m.msg_type == "Update") && m.infos.empty()) {
    throw CapError("an " + m.msg_type + " message needs at least one <info> block", static_cast<int>(xmlGetLineNo(root)),
                   "alert");
  }
  if ((m.msg_type == "Update" || m.msg_type == "Cancel") && m.references.empty()) {
    throw CapError("an " + m.msg_type + " message must name the message it refers to in <references>",
                   static_cast<int>(xmlGetLineNo(root)), "references");
  }
  return m;
}

std::optional<std::int64_t> parse_cap_time(const std::string& text) {
  int y, mo, d, h, mi, s, oh, om;
  char sign;
  if (text.size() != 25 ||
      std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c%2d:%2d", &y, &mo, &d, &h, &mi, &s, &sign, &oh, &om) != 9 ||
      (sign != '+' && sign != '-')) {
    return std::nullopt;
  }
  const std::int64_t utc = time::epoch_seconds(y, mo, d, h, mi, s);
  const std::int64_t offset = (oh * 3600 + om * 60) * (sign == '+' ? 1 : -1);
  return (utc - offset) * 1000;
}

}  // namespace loa::alerts
