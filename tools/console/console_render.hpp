#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/console/console_command.hpp"

/// How the console prints answers for a person: aligned tables, durations and sizes in
/// human units. Plain logic over the JSON the nodes answer (the --json output as is).
namespace plexichat::tools::console {

/// Columns padded to their widest cell, two spaces apart, the header first.
std::string text_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows);

/// "3d4h", "2h5m", "4m10s", "12s", "850ms".
std::string human_duration(int64_t ms);

/// The answer of `cmd` as a person reads it.
std::string render_answer(const console_command& cmd, const nlohmann::json& answer);

}  // namespace plexichat::tools::console
