%% @doc Mid-call snapshots: a call that waits (suspended in an import,
%% between two slices, or stopped by fuel) travels in the instance's
%% snapshot and goes on in another instance, on this node or another.
%% Users call {@link beamr:snapshot/1}, {@link beamr:restore/2} and
%% {@link beamr:resume/4}; this module holds their logic.
%%
%% == Taking ==
%% {@link beamr:snapshot/1} of an instance with a waiting call saves the
%% call after the instance's state: every frame (function, position,
%% the values its code may still read) and, for a call suspended in an
%% import, that import and its arguments. Take it inside the import fun
%% (the call waits for its answer), from another process while the
%% call runs (it is taken between two slices), or after a call made
%% with `out_of_fuel => suspend' ran out of fuel (`{error, suspended}':
%% the call waits in the instance). `beamr:snapshot(Inst, #{call =>
%% false})' saves the state only.
%%
%% == Resuming ==
%% {@link beamr:restore/2} into a fresh instance of the same module
%% (here or on another node) puts the state back and leaves the call
%% waiting there; {@link beamr:resume/4} runs it to its end as
%% {@link beamr:call/6} runs a call, and answers what the original call
%% would have answered. A call captured in an import serves that import
%% first (the import fun runs again with the same arguments, in the
%% resuming process), so the caller answers it there.
%%
%% Errors: `{snapshot, #{reason := call_not_capturable, message :=
%% Why}}' when the waiting call cannot be written down: a live non-null
%% externref or caught exception, a funcref of another instance, frames
%% of a linked instance, an Emscripten `invoke_*' in progress, a call
%% nested in an import fun of another call, native WASI (its open host
%% fds stay behind), or frames in native code. {@link beamr:restore/2}
%% refuses a damaged or hostile call part with `{snapshot, #{reason :=
%% snapshot_mismatch | aot_checksum_mismatch}}' before changing
%% anything; {@link beamr:resume/4} without a waiting call is
%% `{error, no_suspended_call}'. docs/snapshot.md gives the format and
%% its checks.
%%
%% Example (inside an import fun, then on another node):
%% ```
%% Fun = fun(S, #{func := <<"get">>}, _) ->
%%               {ok, Snap} = beamr:snapshot(Inst),
%%               Self ! {moved, Snap},
%%               throw(moved)
%%       end,
%% {error, throw, moved, _, _} = beamr:call(Inst, <<"run">>, [N], Fun, 0, #{}),
%% receive {moved, Snap} -> ok end,
%% {ok, Far} = beamr:start(Mod, #{node => Peer}),
%% ok = beamr:restore(Far, Snap),
%% {ok, [R], _} = beamr:resume(Far, fun Answer/3, 0, #{}).
%% '''
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_suspend).
-compile(warn_missing_spec).

-export([snapshot/2, restore/2, limits/2]).

%% @doc The instance's snapshot, with its waiting call unless `call =>
%% false' (then exactly what snapshots without calls hold).
-spec snapshot(pid(), #{call => boolean()}) ->
          {ok, binary()} | {error, term()}.
snapshot(Pid, Opts) ->
    case maps:get(call, Opts, true) of
        true -> beamr_nif:instance_snapshot_call(Pid);
        false -> beamr_nif:instance_snapshot(Pid);
        Other -> erlang:error(badarg, [Pid, #{call => Other}])
    end.

%% @doc Restores a snapshot; a call in it waits in the instance for
%% {@link beamr:resume/4} (replacing one that waited there).
-spec restore(pid(), binary()) -> ok | {error, term()}.
restore(Pid, Snapshot) ->
    beamr_nif:instance_restore_call(Pid, Snapshot).

%% @doc The call limits with `out_of_fuel => suspend' (park the call
%% when its fuel or the instance's runs out) or `error' (the default).
-spec limits({integer(), integer() | infinity, non_neg_integer()}, map()) ->
          tuple().
limits(Limits, Opts) ->
    case maps:get(out_of_fuel, Opts, error) of
        error -> Limits;
        suspend -> erlang:append_element(Limits, suspended);
        Other -> erlang:error(badarg, [#{out_of_fuel => Other}])
    end.
