#include "tag_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace abi_audit {
namespace {

using json = nlohmann::ordered_json;

// What the next more compatible tag would have needed; for linux_x86_64,
// the least compatible manylinux policy.
std::string why_not(const TagVerdict& verdict) {
  if (verdict.held_by.empty()) return "";
  const std::string& policy = verdict.held_by.front().policy;
  return verdict.tag == kLinuxTag ? "kept off " + policy + ", the least compatible manylinux policy"
                                  : "not " + policy;
}

// One sentence: why not the next tag, and each blocker; a wheel's members
// are named inside the wheel (the input path is said once, beside the tag).
std::string reason(const std::string& input, const TagVerdict& verdict) {
  std::string text = why_not(verdict);
  for (size_t i = 0; i < verdict.held_by.size(); ++i) {
    const Blocker& b = verdict.held_by[i];
    const bool member = b.file.rfind(input + "!", 0) == 0;
    text += (i ? "; " : ": ") + (member ? b.file.substr(input.size() + 1) : b.file) + " " + b.detail();
  }
  return text;
}

json json_blocker(const Blocker& b) {
  json out = {{"file", b.file}, {"policy", b.policy}, {"check", b.check}, {"what", b.what}};
  if (b.check == "symbol-version") {
    out["library"] = b.library;
    out["symbols"] = b.symbols;
  }
  out["detail"] = b.detail();
  return out;
}

json json_verdict(const std::string& path, const TagVerdict& verdict) {
  json out = {{"path", path},
              {"platform_tag", verdict.tag},
              {"reason", verdict.held_by.empty() ? json(nullptr) : json(reason(path, verdict))},
              {"held_by", json::array()}};
  for (const Blocker& b : verdict.held_by) out["held_by"].push_back(json_blocker(b));
  return out;
}

}  // namespace

bool TagJudgement::all_readable() const {
  return std::all_of(inputs.begin(), inputs.end(), [](const InputTag& i) { return i.readable; });
}

TagJudgement judge_tags(const std::vector<std::pair<std::string, std::vector<ReadFile>>>& inputs,
                        const ManylinuxPolicies& policies, const Policy& provided_policy) {
  TagJudgement judgement{&policies, &provided_policy, {provided_policy.allow_needed, {}}, {}};
  // The set's own shared objects load one another from the wheels; none is external.
  for (const auto& [path, files] : inputs)
    for (const ReadFile& file : files)
      if (file.error.empty()) judgement.provided.names.insert(file.file_name);
  for (const auto& [path, files] : inputs) {
    InputTag input{path, true, {}, {}};
    std::vector<TagVerdict> verdicts;
    for (const ReadFile& file : files) {
      if (!file.error.empty()) {
        input.readable = false;
        input.files.push_back({file.path, file.error, {}});
        continue;
      }
      TagVerdict verdict = earned_tag(file.path, file.facts, policies, judgement.provided);
      verdicts.push_back(verdict);
      input.files.push_back({file.path, "", std::move(verdict)});
    }
    if (input.readable) input.verdict = combined_tag(verdicts, policies);
    judgement.inputs.push_back(std::move(input));
  }
  return judgement;
}

void write_tags_text(std::ostream& out, const TagJudgement& judgement) {
  for (const InputTag& input : judgement.inputs) {
    out << (input.readable ? input.verdict.tag : std::string("ERROR")) << "  " << input.path << "\n";
    for (const FileTag& file : input.files) {
      if (!file.error.empty()) {
        out << "  ERROR  " << file.path << "\n    " << file.error << "\n";
      } else if (file.path != input.path) {
        out << "  " << file.verdict.tag << "  " << file.path << "\n";
      }
    }
    if (input.readable && !input.verdict.held_by.empty()) out << "  " << reason(input.path, input.verdict) << "\n";
  }
  out << "abi-audit: platform tags by " << judgement.policies->file << " (x86_64); provided: "
      << judgement.provided_policy->name << " (" << judgement.provided_policy->file << ") and the "
      << judgement.provided.names.size() << " shared object(s) given\n";
}

void write_tags_json(std::ostream& out, const TagJudgement& judgement) {
  json document = {
      {"manylinux_policy", judgement.policies->file},
      {"provided",
       {{"policy", judgement.provided_policy->name},
        {"file", judgement.provided_policy->file},
        {"globs", judgement.provided.globs},
        {"set", judgement.provided.names}}},
      {"inputs", json::array()}};
  for (const InputTag& input : judgement.inputs) {
    json entry = input.readable ? json_verdict(input.path, input.verdict)
                                : json{{"path", input.path}, {"platform_tag", nullptr}};
    entry["files"] = json::array();
    for (const FileTag& file : input.files)
      entry["files"].push_back(file.error.empty() ? json_verdict(file.path, file.verdict)
                                                  : json{{"path", file.path}, {"error", file.error}});
    document["inputs"].push_back(std::move(entry));
  }
  out << document.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

}  // namespace abi_audit
