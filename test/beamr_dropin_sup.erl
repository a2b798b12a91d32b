%% @doc Test helper: an empty one_for_one supervisor for beamr
%% instances, and a logger handler that forwards events to a process.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_dropin_sup).
-behaviour(supervisor).

-export([init/1, log/2]).

init([]) ->
    {ok, {#{strategy => one_for_one, intensity => 10, period => 10}, []}}.

%% logger handler callback: sends each event to the configured pid.
log(Event, #{config := #{pid := Pid}}) ->
    Pid ! {log, Event},
    ok.
