// `abi-audit --platform-tag`: the tag each input (a module, a directory, a
// wheel) and each shared object in it earns, in text or JSON.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "inputs.h"
#include "manylinux.h"
#include "policy.h"

namespace abi_audit {

struct FileTag {
  std::string path;
  std::string error;  // non-empty: unreadable, no verdict
  TagVerdict verdict;
};

struct InputTag {
  std::string path;  // as given on the command line
  bool readable = true;  // every shared object in it could be read
  TagVerdict verdict;    // the least compatible of its files' tags
  std::vector<FileTag> files;
};

struct TagJudgement {
  const ManylinuxPolicies* policies;
  const Policy* provided_policy;  // its allow-needed globs count as provided
  Provided provided;              // those globs and every shared object given
  std::vector<InputTag> inputs;
  bool all_readable() const;
};

// `inputs`: each command-line PATH with what read_path found under it.
TagJudgement judge_tags(const std::vector<std::pair<std::string, std::vector<ReadFile>>>& inputs,
                        const ManylinuxPolicies& policies, const Policy& provided_policy);

void write_tags_text(std::ostream& out, const TagJudgement& judgement);

// {"manylinux_policy", "provided": {policy, file, globs, set}, "inputs":
//  [{path, platform_tag, reason, held_by: [blocker], files: [{path,
//  platform_tag, reason, held_by} or {path, error}]}]}; an unreadable
//  input's platform_tag is null, so is the reason of the most compatible tag.
void write_tags_json(std::ostream& out, const TagJudgement& judgement);

}  // namespace abi_audit
