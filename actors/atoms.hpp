#pragma once

#include <caf/atom.hpp>

/// The atoms that tag the node's actor messages (CAF 0.17: at most 10 characters).
namespace plexichat::actors {

using add_atom = caf::atom_constant<caf::atom("add")>;
using claim_atom = caf::atom_constant<caf::atom("claim")>;
using closed_atom = caf::atom_constant<caf::atom("closed")>;
using committed_atom = caf::atom_constant<caf::atom("committed")>;
using confirm_atom = caf::atom_constant<caf::atom("confirm")>;
using create_atom = caf::atom_constant<caf::atom("create")>;
using deliver_atom = caf::atom_constant<caf::atom("deliver")>;
using disable_atom = caf::atom_constant<caf::atom("disable")>;
using enroll_atom = caf::atom_constant<caf::atom("enroll")>;
using fanout_atom = caf::atom_constant<caf::atom("fanout")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using frame_atom = caf::atom_constant<caf::atom("frame")>;
using get_atom = caf::atom_constant<caf::atom("get")>;
using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;
using history_atom = caf::atom_constant<caf::atom("history")>;
using idle_atom = caf::atom_constant<caf::atom("idle")>;
using info_atom = caf::atom_constant<caf::atom("info")>;
using join_atom = caf::atom_constant<caf::atom("join")>;
using leave_atom = caf::atom_constant<caf::atom("leave")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using login_atom = caf::atom_constant<caf::atom("login")>;
using logout_atom = caf::atom_constant<caf::atom("logout")>;
using lookup_atom = caf::atom_constant<caf::atom("lookup")>;
using mfa_atom = caf::atom_constant<caf::atom("mfa")>;
using moved_atom = caf::atom_constant<caf::atom("moved")>;
using password_atom = caf::atom_constant<caf::atom("password")>;
using placement_atom = caf::atom_constant<caf::atom("placement")>;
using post_atom = caf::atom_constant<caf::atom("post")>;
using register_atom = caf::atom_constant<caf::atom("register")>;
using replay_atom = caf::atom_constant<caf::atom("replay")>;
using rest_atom = caf::atom_constant<caf::atom("rest")>;
using revoke_atom = caf::atom_constant<caf::atom("revoke")>;
using revokeall_atom = caf::atom_constant<caf::atom("revokeall")>;
using run_atom = caf::atom_constant<caf::atom("run")>;
using services_atom = caf::atom_constant<caf::atom("services")>;
using sessions_atom = caf::atom_constant<caf::atom("sessions")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using sync_atom = caf::atom_constant<caf::atom("sync")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using touch_atom = caf::atom_constant<caf::atom("touch")>;
using unsub_atom = caf::atom_constant<caf::atom("unsub")>;
using append_atom = caf::atom_constant<caf::atom("append")>;
using grant_atom = caf::atom_constant<caf::atom("grant")>;
using kick_atom = caf::atom_constant<caf::atom("kick")>;
using read_atom = caf::atom_constant<caf::atom("read")>;
using role_atom = caf::atom_constant<caf::atom("role")>;
using update_atom = caf::atom_constant<caf::atom("update")>;
using verify_atom = caf::atom_constant<caf::atom("verify")>;
using users_atom = caf::atom_constant<caf::atom("users")>;
using userput_atom = caf::atom_constant<caf::atom("userput")>;
using handoff_atom = caf::atom_constant<caf::atom("handoff")>;
using revoked_atom = caf::atom_constant<caf::atom("revoked")>;
using dirsync_atom = caf::atom_constant<caf::atom("dirsync")>;
using acctput_atom = caf::atom_constant<caf::atom("acctput")>;
using acctget_atom = caf::atom_constant<caf::atom("acctget")>;
using inspector_atom = caf::atom_constant<caf::atom("inspector")>;
using inspect_atom = caf::atom_constant<caf::atom("inspect")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;
using where_atom = caf::atom_constant<caf::atom("where")>;

// Backups (backup/).
using put_atom = caf::atom_constant<caf::atom("put")>;
using delete_atom = caf::atom_constant<caf::atom("delete")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using scrub_atom = caf::atom_constant<caf::atom("scrub")>;
using repair_atom = caf::atom_constant<caf::atom("repair")>;
using progress_atom = caf::atom_constant<caf::atom("progress")>;
using finished_atom = caf::atom_constant<caf::atom("finished")>;
using restore_atom = caf::atom_constant<caf::atom("restore")>;
using rotate_atom = caf::atom_constant<caf::atom("rotate")>;

}  // namespace plexichat::actors
