%% @private
%% @doc The owner process of one wasm instance (the pid `beamr:start/2'
%% returns).
%%
%% It never runs wasm itself: it holds the instance resource and grants
%% the instance to one caller at a time (others queue, in order). It
%% monitors the caller it granted to; if that caller dies mid-call, the
%% call is cancelled and the next caller gets the instance. `stop'
%% cancels any running call (even an infinite loop) and ends the
%% process. Unless started detached, it also ends when the process that
%% started it dies.
%%
%% Protocol (all asynchronous messages; callers monitor the owner):
%% <ul>
%% <li>`{beamr_acquire, Pid, Ref}' -> `{beamr_granted, Ref, Res, Info}'
%%     once it is Pid's turn;</li>
%% <li>`{beamr_release, Pid, Ref}' ends a grant or withdraws a queued
%%     request;</li>
%% <li>`{beamr_get, Pid, Ref}' -> `{beamr_info, Ref, Res, Info, Module}'
%%     (for memory, globals and tables, which do not queue);</li>
%% <li>`{beamr_stop, Pid, Ref}' stops the instance; the process exits.</li>
%% </ul>
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_instance).
-compile(warn_missing_spec).

-export([start/4, init/4]).

-record(state, {
    res :: reference(),
    info :: tuple(),
    module :: term(),
    holder = none :: none | {pid(), reference(), reference()},
    queue = queue:new() :: queue:queue({pid(), reference()}),
    creator = none :: none | reference()
}).

%% @doc Spawns the owner of `Res'. `Creator' is monitored unless none.
-spec start(reference(), tuple(), term(), pid() | none) -> pid().
start(Res, Info, Module, Creator) ->
    proc_lib:spawn(?MODULE, init, [Res, Info, Module, Creator]).

%% @private
-spec init(reference(), tuple(), term(), pid() | none) -> no_return().
init(Res, Info, Module, Creator) ->
    Mon = case Creator of
              none -> none;
              Pid -> erlang:monitor(process, Pid)
          end,
    loop(#state{res = Res, info = Info, module = Module, creator = Mon}).

-spec loop(#state{}) -> no_return().
loop(S) ->
    receive
        {beamr_acquire, Pid, Ref} ->
            loop(enqueue(Pid, Ref, S));
        {beamr_release, _Pid, Ref} ->
            loop(release(Ref, S));
        {beamr_get, Pid, Ref} ->
            Pid ! {beamr_info, Ref, S#state.res, S#state.info,
                   S#state.module},
            loop(S);
        {beamr_stop, _Pid, _Ref} ->
            shutdown(S);
        {'DOWN', Mon, process, _, _} when Mon =:= S#state.creator ->
            shutdown(S);
        {'DOWN', Mon, process, _, _} ->
            loop(holder_down(Mon, S));
        _Other ->
            loop(S)
    end.

-spec shutdown(#state{}) -> no_return().
shutdown(#state{res = Res}) ->
    ok = beamr_nif:instance_stop(Res),
    exit(normal).

enqueue(Pid, Ref, S = #state{holder = none}) ->
    grant(Pid, Ref, S);
enqueue(Pid, Ref, S = #state{queue = Q}) ->
    S#state{queue = queue:in({Pid, Ref}, Q)}.

grant(Pid, Ref, S) ->
    Mon = erlang:monitor(process, Pid),
    Pid ! {beamr_granted, Ref, S#state.res, S#state.info},
    S#state{holder = {Pid, Mon, Ref}}.

%% The holder is done, or a queued caller gave up waiting.
release(Ref, S = #state{holder = {_, Mon, Ref}}) ->
    erlang:demonitor(Mon, [flush]),
    next(S#state{holder = none});
release(Ref, S = #state{queue = Q}) ->
    S#state{queue = queue:filter(fun({_, R}) -> R =/= Ref end, Q)}.

%% A caller that dies mid-call releases the instance; its call is
%% cancelled so that a slice it may still be running ends at once.
holder_down(Mon, S = #state{holder = {_, Mon, _}, res = Res}) ->
    ok = beamr_nif:instance_cancel(Res),
    next(S#state{holder = none});
holder_down(_Mon, S) ->
    S.

next(S = #state{queue = Q}) ->
    case queue:out(Q) of
        {{value, {Pid, Ref}}, Q1} -> grant(Pid, Ref, S#state{queue = Q1});
        {empty, _} -> S
    end.
