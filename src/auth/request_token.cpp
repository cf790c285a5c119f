#include "auth/request_token.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace iiot::auth {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<std::string> query_token(std::string_view target) {
  const auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return std::nullopt;
  const auto params = parsed->params();
  const auto it = params.find("token");
  if (it == params.end() || !(*it).has_value || (*it).value.empty()) return std::nullopt;
  return std::string((*it).value);
}

}  // namespace

std::optional<std::string> bearer_token(std::string_view authorization) {
  authorization = trim_spaces(authorization);
  const auto space = authorization.find(' ');
  if (space == std::string_view::npos || !iequals(authorization.substr(0, space), "Bearer")) {
    return std::nullopt;
  }
  const std::string_view token = trim_spaces(authorization.substr(space + 1));
  if (token.empty() || token.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
  return std::string(token);
}

PresentedToken presented_token(std::string_view authorization, std::string_view target) {
  using Source = PresentedToken::Source;
  if (!trim_spaces(authorization).empty()) {
    if (auto token = bearer_token(authorization)) return {Source::kHeader, std::move(*token)};
    return {Source::kMalformed, {}};
  }
  if (auto token = query_token(target)) return {Source::kQuery, std::move(*token)};
  return {Source::kNone, {}};
}

std::string redact_target(std::string_view target) {
  const auto query = target.find('?');
  if (query == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, query));
  out += "?<redacted>";
  return out;
}

}  // namespace iiot::auth
