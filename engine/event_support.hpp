// Engine-internal (not a public header): the request checks and idempotency-key helpers that
// the dossier and certificate events (executor.cpp) and the events after recognition
// (promotion.cpp) share. Defined in executor.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ocop/config.hpp"
#include "ocop/executor.hpp"
#include "ocop/status.hpp"
#include "ocop/store.hpp"

namespace ocop::detail {

std::string join(const std::vector<std::string>& v);
// data[name] unless absent or null.
const nlohmann::json* field(const nlohmann::json& data, const char* name);
Status require_string(const nlohmann::json& data, const char* name, std::string_view event);
Status check_optional_string(const nlohmann::json& data, const char* name, std::string_view event);
Status check_string_list(const nlohmann::json& data, const char* name, std::string_view event);
// data.documents' shapes, then each against the configured kinds and size.
Status check_documents(const nlohmann::json& data, std::string_view name);
Status check_documents(const Config& cfg, std::string_view event, bool attach, const nlohmann::json& data);

// A key's stored first result: the object's id, its state and version (and a certificate event's
// certificate), and the request's fingerprint.
std::string key_result(const std::string& dossier, const std::string* certificate, std::string_view state,
                       std::int64_t version, const std::string& fingerprint);
// The first result recorded with `key` for this same request; a key seen with another request
// sets out.status (bad input) and answers nullopt.
std::optional<nlohmann::json> first_result(Store& store, const std::string& key, const std::string& fingerprint,
                                           FireResult& out);
std::string request_fingerprint(const EventRequest& req, const std::string& data_text);
void mark_duplicate(FireResult& out, const nlohmann::json& first);

}  // namespace ocop::detail
