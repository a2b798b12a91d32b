%% @doc beamr: WebAssembly on the Erlang VM.
%%
%% Compile a module once with {@link compile/1}, start any number of
%% instances from it with {@link start/2} (or start straight from bytes),
%% call their exports by name or by index in table 0 with
%% {@link call/3}, {@link call/4} or {@link call/6}, and reach their
%% memory, globals and tables.
%%
%% == Execution ==
%% Wasm runs in the calling process, on a normal scheduler, in fuel
%% slices that yield to the VM about every millisecond; nothing runs on a
%% dirty scheduler or a thread of its own. When the wasm code calls an
%% import, the call suspends and the import fun runs in the caller's own
%% process: `ImportFun(State, Import, Opts) -> {ok, Results, NewState}'.
%% It may use this module on the same instance (memory, and even calls
%% into other exports: they nest).
%%
%% An instance is a process (its owner). One call runs at a time per
%% instance; calls from other processes queue. A call that finds the
%% instance free takes it directly in the NIF, without a message to the
%% owner; only callers that find it busy queue at the owner. A caller
%% that dies mid-call releases the instance. {@link stop/1} ends a
%% running call at once. Memory, global and table access do not queue.
%%
%% == WASI ==
%% With the `wasi' start option, the module's `wasi_snapshot_preview1'
%% imports run natively in C (and Emscripten's `env.__syscall_*' and
%% `env._emscripten_system' get errno stubs); see {@link start/2} and
%% {@link run_wasi/2}.
%%
%% == Saving ==
%% {@link module_to_binary/1} saves a compiled module in beamr's own
%% format, which {@link binary_to_module/1} loads without recompiling
%% (hb_beamr's `aot' mode). {@link snapshot/1} and {@link restore/2}
%% save and restore an instance's whole state (memories, mutable
%% globals, tables), so that a fresh instance of the same module goes on
%% where the snapshot was taken.
%%
%% == Values ==
%% i32 and i64 are integers (results signed; arguments accepted from
%% -2^31 to 2^32-1 and from -2^63 to 2^64-1, anything else is
%% `{error, {invalid_args, Args}}'). f32 and f64 are floats; the atoms
%% `nan', `infinity' and `` '-infinity' '' stand for the values Erlang
%% floats cannot hold, both ways; integers are accepted for float
%% parameters. v128 is a non-negative integer below 2^128 (lane 0 in the
%% low bits); {@link v128/2} and {@link v128_lanes/2} convert it from
%% and to lanes, and a v128 argument may also be given as lanes,
%% `{Shape, Lanes}' (see {@link v128/2}). funcref is `null' or an opaque
%% term from a table read or a result; externref is `null' or any
%% Erlang term (copied); exnref (a caught exception, try_table's
%% `catch_ref') comes out as `null' or the atom `exnref' and only `null'
%% can be passed in.
%% GC references (anyref, eqref, i31ref, structref, arrayref, `(ref $t)'
%% of a struct or array type; the valtype is `anyref') come out as `null',
%% `{i31, N}' (N signed, -2^30 .. 2^30-1) or an opaque term for a struct
%% or array, which keeps the object alive while the term lives and may be
%% passed back to the same instance where its type fits (otherwise
%% `{error, {invalid_args, Args}}'); see the README's "GC values in
%% Erlang".
%%
%% == Errors ==
%% Data and runtime failures are `{error, Reason}':
%% <ul>
%% <li>`{malformed, Detail}', `{validation, Detail}': the binary is not
%%     a valid module; `Detail' is `#{reason := atom(), message :=
%%     binary(), offset := non_neg_integer(), func := integer() |
%%     undefined}' with `reason' one of the atoms of br_errors.h (for
%%     example `type_mismatch', `magic_header_not_detected'); for WAT
%%     text, `{malformed, #{reason, message, line, column}}';</li>
%% <li>`{link, Detail}': an import value does not fit, or instantiation
%%     exceeded a limit;</li>
%% <li>`{trap, #{reason := atom(), message := binary(), stack :=
%%     [{FuncIndex, Offset}]}}': the wasm code trapped (`unreachable',
%%     `out_of_bounds_memory_access', `integer_divide_by_zero',
%%     `call_stack_exhausted', `host_error' when an import answered
%%     with the wrong number or types of results, ...);</li>
%% <li>`{exit, Code}': the program called WASI `proc_exit(Code)';</li>
%% <li>`{aot, Detail}': {@link binary_to_module/1} rejected its input
%%     (`reason' one of `aot_bad_format', `aot_version_mismatch',
%%     `aot_checksum_mismatch', `aot_corrupt');</li>
%% <li>`{snapshot, Detail}': {@link restore/2} rejected a snapshot
%%     (`snapshot_mismatch', or one of the `aot_*' reasons);</li>
%% <li>`{wasi, Detail}': the WASI environment could not be set up (for
%%     example a preopened directory that cannot be opened);</li>
%% <li>`{invalid_args, Args}', `function_not_found', `timeout',
%%     `out_of_fuel', `stopped', `{unhandled_import, Module, Name}',
%%     `out_of_bounds', `no_memory', `not_found', `immutable',
%%     `limit', `string_too_long', `{name_taken, Name}'.</li>
%% </ul>
%% An import fun that raises makes the call return
%% `{error, Class, Reason, Stacktrace, State}' (the State it was given).
%% An import fun may also answer `{emscripten_throw, NewState}': a
%% JS-style throw that unwinds to the innermost `invoke_*'.
%%
%% Instances may be named (`name' at start) and run under supervisors
%% ({@link start_link/2}, {@link child_spec/1}); their stops and crashes
%% go to `logger' (domain `[beamr]'). {@link add_fuel/2} gives an
%% instance a fuel budget that its calls draw from.
%%
%% == Example ==
%% ```
%% {ok, Bin} = file:read_file("pow_calculator.wasm"),
%% {ok, Mod} = beamr:compile(Bin),
%% {ok, Inst} = beamr:start(Mod),
%% Mul = fun(S, #{func := <<"mul">>, args := [A, B]}, _) ->
%%               {ok, [A * B], S}
%%       end,
%% {ok, [32], _} = beamr:call(Inst, <<"pow">>, [2, 5], Mul, #{}, #{}),
%% ok = beamr:stop(Inst).
%% '''
%% SPDX-License-Identifier: Apache-2.0
-module(beamr).
-compile(warn_missing_spec).

-export([compile/1, compile/2, wat_to_wasm/1, start/1, start/2, start_link/1,
         start_link/2, child_spec/1, stop/1, add_fuel/2, fuel_remaining/1,
         call_state/6, hb_mode/1, pipe/0, pipe_write/2, pipe_close/1,
         call/3, call/4, call/6,
         imports/1, exports/1,
         memory_size/1, gc_stats/1, read/3, write/3, read_string/2, read_string/3,
         grow/2, serialize/1, deserialize/2,
         global_get/2, global_set/3, table_size/2, table_get/3,
         signature/2,
         module_to_binary/1, binary_to_module/1, snapshot/1, restore/2,
         run_wasi/2, wasi_output/2,
         v128/2, v128_lanes/2, migrate/2, migrate/3, native_info/1]).
%% Mid-call snapshots (beamr_suspend).
-export([snapshot/2, resume/1, resume/2, resume/4]).
%% Sandboxed NIFs (beamr_nif_guest).
-export([call_nif/3, call_nif/4]).

-export_type([wasm_module/0, instance/0, value/0, valtype/0, externtype/0,
              pipe/0,
              bound_fun/0, import_ctx/0,
              limits/0, func_ref/0, import/0, import_fun/0,
              start_opts/0, call_opts/0, wasi_opts/0, wasi_result/0,
              error_reason/0, v128_shape/0, v128_lane/0]).

-record(beamr_module, {
    res :: reference(),
    imports :: [{binary(), binary(), externtype()}],
    exports :: [{binary(), externtype()}]
}).

-define(WASI_MODULE, <<"wasi_snapshot_preview1">>).

-opaque wasm_module() :: #beamr_module{}.
-type instance() :: pid() | atom().
-type valtype() :: i32 | i64 | f32 | f64 | v128 | funcref | externref |
                   exnref | anyref.
-type value() :: integer() | float() | nan | infinity | '-infinity' |
                 {v128_shape(), [v128_lane()]} | null | term().
-type v128_shape() :: beamr_v128:shape().
-type v128_lane() :: beamr_v128:lane().
-type limits() :: #{min := non_neg_integer(),
                    max := non_neg_integer() | undefined,
                    is64 := boolean(), shared := boolean(),
                    page_size => 1 | 65536}.
-type externtype() :: {func, [valtype()], [valtype()]} |
                      {table, valtype(), limits()} |
                      {memory, limits()} |
                      {global, valtype(), const | var} |
                      {tag, [valtype()]}.
-type func_ref() :: binary() | string() | atom() | non_neg_integer().
-type import() :: #{instance := instance(), module := binary(),
                    func := binary(), args := [value()],
                    func_sig := string()}.
-type import_fun() :: fun((State :: term(), import(), Opts :: term()) ->
                              {ok, [value()], NewState :: term()}).
-type import_value() :: {memory, non_neg_integer(),
                         non_neg_integer() | undefined} |
                        {table, non_neg_integer(),
                         non_neg_integer() | undefined} |
                        {global, value()}.
-type output() :: capture | discard | inherit | {stream, pid()}.
-opaque pipe() :: reference().
-type wasi_opts() :: #{args => [iodata()],
                       env => [{iodata(), iodata()}] |
                              #{iodata() => iodata()},
                       preopens => [{iodata(), iodata(),
                                     read_only | read_write} |
                                    {iodata(), iodata()}],
                       stdin => iodata() | empty | inherit | pipe() |
                                {stream, pid()},
                       stdout => output(),
                       stderr => output(),
                       max_capture => non_neg_integer(),
                       max_fds => pos_integer()}.
-type wasi_result() :: #{exit_code := integer(), stdout := binary(),
                         stderr := binary()}.
-type bound_fun() :: fun(([value()]) -> [value()]) |
                     fun((import_ctx(), [value()]) -> [value()]).
-type import_ctx() :: #{instance := instance(), module := binary(),
                        func := binary(), func_sig := string()}.
-type start_opts() :: #{limits => #{max_memory_pages => pos_integer()
                                                         | infinity,
                                    max_table_size => pos_integer(),
                                    max_call_depth => pos_integer()},
                        imports => #{{binary(), binary()} =>
                                         import_value() | import_fun |
                                         bound_fun() |
                                         {export, instance(), binary()},
                                     binary() => instance()},
                        lazy_imports => boolean(),
                        tier => interp | native | auto,
                        name => atom(),
                        import_fun => import_fun(),
                        state => term(),
                        detached => boolean(),
                        process_bound => boolean(),
                        node => node(),
                        wasi => wasi_opts()}.
-type call_opts() :: #{fuel => pos_integer() | infinity,
                       timeout => timeout(),
                       fuel_slice => pos_integer(),
                       out_of_fuel => error | suspend,
                       import_fun => import_fun(),
                       state => term(),
                       atom() => term()}.
-type error_reason() :: {malformed | validation | link | aot | snapshot |
                         wasi, map()} |
                        {trap, map()} | {exit, integer()} |
                        {invalid_args, term()} |
                        function_not_found | timeout | out_of_fuel |
                        suspended | no_suspended_call |
                        stopped | {unhandled_import, binary(), binary()} |
                        out_of_bounds | no_memory | not_found | immutable |
                        limit | term().

%% ------------------------------------------------------------------
%% Modules and instances

%% @doc Decodes, validates and compiles a module once; start any number
%% of instances from the result. `Bin' is a binary module or WAT text
%% (no "\0asm" magic, starting with "(" or a comment; see
%% {@link wat_to_wasm/1}).
%%
%% Errors: `{error, {malformed, Detail}}', `{error, {validation,
%% Detail}}'.
%%
%% Example: `{ok, Mod} = beamr:compile(Bin)'.
-spec compile(binary()) -> {ok, wasm_module()} | {error, error_reason()}.
compile(Bin) when is_binary(Bin) ->
    case beamr_nif:module_new(Bin) of
        {ok, Res} -> {ok, module_record(Res)};
        {error, _} = Error -> Error
    end;
compile(Other) ->
    erlang:error(badarg, [Other]).

%% @doc {@link compile/1} with options. `tier => native' also compiles
%% every function of the module to machine code at once, on a dirty
%% scheduler (no normal scheduler waits for it), for the instances
%% started from the module with tier `native' or `auto' (the instance's
%% tier is still the start option `tier'). Without it, the native tier
%% compiles each function at its first call (`auto': once hot), on the
%% scheduler that runs it, except a function above 16,384 words of
%% internal code (about 1.5 ms of compile): that one stays
%% interpreted until the module is compiled with `tier => native'.
%% `tier => interp | auto' compile nothing up front. Hosts without the
%% native tier ignore the option (see {@link native_info/1}).
%%
%% Errors: those of {@link compile/1}, and `{error, out_of_memory}' when
%% the machine code could not be made.
%%
%% Example: `{ok, Mod} = beamr:compile(Bin, #{tier => native})'.
-spec compile(binary(), #{tier => interp | native | auto}) ->
          {ok, wasm_module()} | {error, error_reason()}.
compile(Bin, Opts) when is_binary(Bin), is_map(Opts) ->
    Tier = maps:get(tier, Opts, interp),
    case lists:member(Tier, [interp, native, auto]) of
        true -> ok;
        false -> erlang:error(badarg, [Bin, Opts])
    end,
    case compile(Bin) of
        {ok, #beamr_module{res = Res}} = Ok when Tier =:= native ->
            case beamr_nif:module_native_compile(Res) of
                ok -> Ok;
                {error, _} = Error -> Error
            end;
        Other ->
            Other
    end;
compile(Bin, Opts) ->
    erlang:error(badarg, [Bin, Opts]).

%% @doc The binary encoding of a module in the WebAssembly text format
%% (a `(module ...)' form, or its fields alone).
%%
%% Errors: `{error, {malformed, #{reason := atom(), message := binary(),
%% line := pos_integer(), column := pos_integer()}}}' with `reason' one
%% of the atoms of br_text.h (`unexpected_token', `unknown_operator',
%% `unknown_label', `constant_out_of_range', ...).
%%
%% Example: `{ok, Wasm} = beamr:wat_to_wasm(<<"(module)">>)'.
-spec wat_to_wasm(binary()) -> {ok, binary()} | {error, error_reason()}.
wat_to_wasm(Text) when is_binary(Text) ->
    beamr_nif:wat_to_wasm(Text);
wat_to_wasm(Other) ->
    erlang:error(badarg, [Other]).

module_record(Res) ->
    #beamr_module{res = Res, imports = beamr_nif:module_imports(Res),
                  exports = beamr_nif:module_exports(Res)}.

%% @doc Saves a compiled module as a binary of beamr's own format (magic,
%% format version, checksum, the module's bytes and its compiled code).
%% {@link binary_to_module/1} loads it without recompiling; the binary
%% is only for the same beamr version. A module with GC types (structs,
%% arrays, `any' values) is refused: `{error, {aot, #{reason =>
%% aot_gc_unsupported}}}'.
%%
%% Example: `{ok, Aot} = beamr:module_to_binary(Mod)'.
-spec module_to_binary(wasm_module()) ->
          {ok, binary()} | {error, error_reason()}.
module_to_binary(#beamr_module{res = Res}) ->
    beamr_nif:module_serialize(Res);
module_to_binary(Other) ->
    erlang:error(badarg, [Other]).

%% @doc Loads a module saved by {@link module_to_binary/1} without
%% recompiling it. Foreign, truncated, corrupt or other-version input is
%% rejected, never run.
%%
%% Errors: `{error, {aot, #{reason := Reason, message := binary(),
%% offset := _, func := _}}}' with `Reason' one of `aot_bad_format'
%% (not a beamr compiled module), `aot_version_mismatch',
%% `aot_checksum_mismatch', `aot_corrupt'.
%%
%% Example: `{ok, Mod} = beamr:binary_to_module(Aot)'.
-spec binary_to_module(binary()) ->
          {ok, wasm_module()} | {error, error_reason()}.
binary_to_module(Bin) when is_binary(Bin) ->
    case beamr_nif:module_deserialize(Bin) of
        {ok, Res} -> {ok, module_record(Res)};
        {error, _} = Error -> Error
    end;
binary_to_module(Other) ->
    erlang:error(badarg, [Other]).

%% @equiv start(ModuleOrBinary, #{})
-spec start(wasm_module() | binary()) ->
          {ok, instance()} | {error, error_reason()}.
start(ModuleOrBinary) ->
    start(ModuleOrBinary, #{}).

%% @doc Instantiates a module (or a binary, compiled on the way) and runs
%% its start function in the calling process.
%%
%% Options:
%% <ul>
%% <li>`limits': `#{max_memory_pages, max_table_size, max_call_depth}'
%%     for this instance (the engine's defaults otherwise);
%%     `max_memory_pages' caps every memory of the instance (default
%%     65536 pages, 4 GiB, or the application env `max_memory_pages'
%%     read when the NIF loads); `infinity' leaves only the module's own
%%     maximum and the spec's;</li>
%% <li>`imports': what serves each import, keyed by `{ModuleName,
%%     FieldName}':
%%     <ul>
%%     <li>for a function: `fun(Args) -> Results' or `fun(Ctx, Args) ->
%%         Results' (a list; `Ctx' is `#{instance, module, func,
%%         func_sig}', through which the fun may read memory or call the
%%         instance), bound for every call; or `import_fun': the import
%%         fun of each call serves it (even when native WASI would);</li>
%%     <li>for a memory, table or global: `{memory, MinPages, MaxPages |
%%         undefined}', `{table, Min, Max | undefined}', `{global,
%%         Value}' (a v128 `Value' may be lanes, `{Shape, Lanes}': {@link
%%         v128/2}); one not listed gets a fresh object of its declared
%%         type (globals start at zero);</li>
%%     <li>for any kind: `{export, Instance, ExportName}', the export of
%%         another running instance, linked natively (below).</li>
%%     </ul>
%%     A key that is a module name, `ModuleName => Instance', links every
%%     import of that module to the instance's export of the same name;
%%     </li>
%% <li>`import_fun', `state': the import fun (and its initial state)
%%     that serves the start function and every later call made without
%%     an import fun of its own, for the imports no fun is bound
%%     to;</li>
%% <li>`lazy_imports': if true, function imports that nothing serves
%%     are accepted at start and answered by each call's import fun (or
%%     fail then with `{unhandled_import, M, N}'): HyperBEAM's model.
%%     Otherwise (the default) such an import is `{error, {link,
%%     #{reason := unknown_import, module := M, name := N}}}';</li>
%% <li>`tier': how the instance's calls run: `interp' (the
%%     interpreter), `native' (x86-64 machine code, each function
%%     compiled at its first call) or `auto' (machine code for the
%%     functions called again or running long); the same results,
%%     traps, fuel and yields in every tier (docs/native-tier.md).
%%     Default: the application env `tier', else `auto'. Hosts
%%     without the native tier run the interpreter;</li>
%% <li>`name': registers the instance's pid under this atom; every
%%     function of this module takes the name in place of the pid
%%     (`{error, {name_taken, Name}}' if it is taken);</li>
%% <li>`wasi': serve `wasi_snapshot_preview1' natively (see
%%     below);</li>
%% <li>`detached': if true, the instance outlives the process that
%%     started it (default false: it stops when that process dies).</li>
%% <li>`process_bound': if true, only the process that started the
%%     instance may call it: {@link call/6} and {@link call_nif/4} from
%%     any other process return `{error, wrong_process}' (default
%%     false).</li>
%% <li>`node': start the instance on this connected node (the module
%%     is sent once and cached there); the pid works from anywhere,
%%     imports still run in the caller's process (see {@link
%%     migrate/3}). Errors: `{nodedown, Node}', `{build_mismatch,
%%     Node}'.</li>
%% </ul>
%%
%% WASI options (`wasi => #{}' for all defaults):
%% <ul>
%% <li>`args': the program's arguments, `argv[0]' included (default
%%     `[]');</li>
%% <li>`env': `[{Name, Value}]' or a map (default none);</li>
%% <li>`preopens': `[{GuestPath, HostPath, read_only | read_write}]'
%%     (or `{GuestPath, HostPath}', read-write): the only host
%%     directories the program can reach, guest fds 3, 4, ... in this
%%     order;</li>
%% <li>`stdin': a binary (iodata), `empty' (the default: end of file),
%%     `inherit' (the VM's own stdin), a {@link pipe/0} that Erlang
%%     writes to while the program runs, or `{stream, Pid}': a new pipe,
%%     sent to `Pid' as `{beamr_stdin, Instance, Pipe}' before the start
%%     function runs, for `Pid' to feed;</li>
%% <li>`stdout', `stderr': `capture' (the default; read with {@link
%%     wasi_output/2}), `discard', `inherit' (the VM's own), or
%%     `{stream, Pid}': each write is sent as it happens, as
%%     `{beamr_output, Instance, stdout | stderr, Data}';</li>
%% <li>`max_capture': bytes a captured stream holds at most (default
%%     64 MiB; then the program's writes fail with ENOSPC; 0 captures
%%     nothing);</li>
%% <li>`max_fds': guest fds open at once, stdio and preopens included
%%     (default 128; then opens fail with EMFILE). All instances of the
%%     VM together hold at most 4096 host fds (application env
%%     `max_host_fds', read when the NIF loads; then opens fail with
%%     ENFILE). `stop/1' closes the instance's host fds at once.</li>
%% </ul>
%% With `wasi', Emscripten's `env.__syscall_*' imports (unlinkat,
%% rmdir, renameat, readlinkat, dup3, ...) answer `-ENOSYS' (-52) and
%% `env._emscripten_system' answers 0 for a NULL command (no shell) and
%% `-ENOSYS' otherwise, unless listed as `import_fun'. `proc_exit(N)'
%% ends a call with `{error, {exit, N}}'.
%%
%% Emscripten's `env.invoke_*' (JS-style exceptions and setjmp) and
%% `env._emscripten_throw_longjmp' imports always run in the engine
%% (see {@link hb_beamr}); C++ exceptions need their `__cxa_*' imports
%% served, for example by {@link beamr_emscripten:wrap/1}.
%%
%% == Linking ==
%% A function linked from another instance runs inside the engine when
%% called (no message, no import fun); a memory, table or global linked
%% so is one object shared by both instances. Linked instances share one
%% lock: their calls run one at a time. When the exporting instance
%% stops, the importer keeps the memories, tables and globals it holds
%% (they live as long as it does), and a call through a linked function
%% of the stopped instance traps (`host_error', message `<<"linked
%% instance stopped">>'). Link errors at start: `{error, {link, #{reason
%% := R, module, name, ...}}}' with `R' one of `instance_stopped',
%% `unknown_export', `incompatible_import_type' (the export does not
%% fit the import's type or kind), `link_conflict' (one instance's
%% exporters must be linked to each other), `unsupported_export' (a
%% function the exporter itself imports and re-exports).
%%
%% Errors: those of {@link compile/1}, `{error, {link, Detail}}',
%% `{error, {trap, Detail}}' (segment initialisation or the start
%% function trapped), `{error, {wasi, Detail}}',
%% `{error, {name_taken, Name}}'.
%%
%% Example: `{ok, Inst} = beamr:start(Mod, #{limits => #{max_memory_pages
%% => 16}})'; with a bound import: `beamr:start(Mod, #{imports =>
%% #{{<<"my_lib">>, <<"mul">>} => fun([A, B]) -> [A * B] end}})'.
-spec start(wasm_module() | binary(), start_opts()) ->
          {ok, instance()} | {error, error_reason()}.
start(ModOrBin, Opts = #{node := Node}) when Node =/= node() ->
    beamr_dist:start(ModOrBin, Opts);
start(ModOrBin, Opts = #{node := _}) ->
    start(ModOrBin, maps:remove(node, Opts));
start(Bin, Opts) when is_binary(Bin) ->
    case compile(Bin) of
        {ok, Mod} -> start(Mod, Opts);
        Error -> Error
    end;
start(Mod = #beamr_module{res = Res, imports = Imports}, Opts0)
  when is_map(Opts0) ->
    Opts = stdin_stream(Opts0),
    Values = import_values(Opts),
    Wasi = wasi_config(maps:get(wasi, Opts, undefined)),
    Specs = [import_spec(M, N, T, Values, Wasi) || {M, N, T} <- Imports],
    Limits = tier_opt(Opts, check_limits(maps:get(limits, Opts, #{}))),
    _ = name_opt(Opts),
    _ = process_bound_opt(Opts),
    case unserved_import(Imports, Specs, Values, Opts) of
        none -> instantiate(Mod, Res, Limits, Specs, Wasi, Values, Opts);
        {M, N} -> {error, {link, unknown_import(M, N)}}
    end;
start(Mod, Opts) ->
    erlang:error(badarg, [Mod, Opts]).

%% `process_bound' is checked before anything is created, so a bad value
%% is badarg whatever else is wrong with the start.
process_bound_opt(Opts) ->
    case maps:get(process_bound, Opts, false) of
        Bound when is_boolean(Bound) -> Bound;
        _ -> erlang:error(badarg, [Opts])
    end.

instantiate(Mod, Res, Limits, Specs, Wasi, Values, Opts) ->
    case beamr_nif:instance_new(Res, Limits, Specs, Wasi) of
        {ok, Inst, HasStart} ->
            ok = beamr_nif_guest:bind(Inst, maps:get(process_bound, Opts,
                                                     false)),
            Creator = case maps:get(detached, Opts, false) of
                          true -> none;
                          %% '$creator': a remote start (beamr_dist)
                          false -> maps:get('$creator', Opts, self())
                      end,
            Link = maps:get('$link', Opts, false),
            case beamr_instance:start(Inst, Mod, Creator, Link) of
                {ok, Pid} -> setup(Pid, HasStart, Values, Opts);
                Error -> Error
            end;
        {error, _} = Error ->
            Error
    end.

%% Records what calls need (bound funs, the start's import fun, the
%% hb_beamr mode), registers the name, runs the start function.
setup(Pid, HasStart, Values, Opts) ->
    Bound = maps:filter(fun(_, V) -> is_bound_fun(V) end, Values),
    Data = maps:with([import_fun, state, '$hb_mode'], Opts),
    _ = case Bound =:= #{} andalso Data =:= #{} of
            true -> ok;
            false -> beamr_nif:instance_set_data(Pid, Data#{bound => Bound})
        end,
    case register_name(Pid, maps:get(name, Opts, undefined)) of
        ok ->
            _ = case maps:get('$stdin_feeder', Opts, none) of
                    {Feeder, Pipe} -> Feeder ! {beamr_stdin, Pid, Pipe};
                    none -> ok
                end,
            run_start(Pid, HasStart, Opts);
        Error ->
            stop(Pid),
            Error
    end.

%% WASI `stdin => {stream, Pid}': a new pipe is the stdin, and Pid gets
%% it (`{beamr_stdin, Instance, Pipe}') to feed the program with.
stdin_stream(Opts = #{wasi := W = #{stdin := {stream, Feeder}}})
  when is_pid(Feeder) ->
    Pipe = pipe(),
    Opts#{wasi := W#{stdin := Pipe}, '$stdin_feeder' => {Feeder, Pipe}};
stdin_stream(Opts) ->
    Opts.

register_name(_Pid, undefined) ->
    ok;
register_name(Pid, Name) ->
    try erlang:register(Name, Pid) of
        true -> ok
    catch
        error:badarg -> {error, {name_taken, Name}}
    end.

name_opt(Opts) ->
    case maps:get(name, Opts, undefined) of
        N when is_atom(N), N =/= undefined, N =/= '$start' -> N;
        undefined -> undefined;
        N -> erlang:error(badarg, [#{name => N}])
    end.

%% The instance's pid from a pid or a registered name; an atom that
%% names no process is a programmer error, as sending to it would be.
pid_of(Pid) when is_pid(Pid) ->
    Pid;
pid_of(Name) when is_atom(Name) ->
    case whereis(Name) of
        Pid when is_pid(Pid) -> Pid;
        undefined -> erlang:error(badarg, [Name])
    end;
pid_of(Other) ->
    erlang:error(badarg, [Other]).

%% The `imports' option, checked: keys `{Module, Name}' or a module
%% name (then the value is an instance whose exports serve it).
import_values(Opts) ->
    case maps:get(imports, Opts, #{}) of
        V when is_map(V) ->
            maps:foreach(fun check_import_value/2, V),
            V;
        V ->
            erlang:error(badarg, [#{imports => V}])
    end.

%% @doc The native tier's machine code for a module so far, shared by
%% all its instances (functions are compiled at their first call in tier
%% `native', once hot in tier `auto'): `native_available' (false on hosts
%% without the native tier), `native_functions', `code_bytes' and
%% `mapped_bytes' (whole pages, read+execute).
%%
%% Example: `#{native_functions := N} = beamr:native_info(Mod)'.
-spec native_info(wasm_module()) ->
          #{native_available := boolean(),
            native_functions := non_neg_integer(),
            code_bytes := non_neg_integer(),
            mapped_bytes := non_neg_integer()}.
native_info(#beamr_module{res = Res}) ->
    beamr_nif:module_native_info(Res);
native_info(Other) ->
    erlang:error(badarg, [Other]).

check_import_value({M, N}, _V) when is_binary(M), is_binary(N) ->
    ok;
check_import_value(M, Inst) when is_binary(M),
                                 (is_pid(Inst) orelse is_atom(Inst)) ->
    ok;
check_import_value(K, V) ->
    erlang:error(badarg, [#{imports => #{K => V}}]).

is_bound_fun(F) -> is_function(F, 1) orelse is_function(F, 2).

%% The first function import that nothing will serve, unless imports
%% are resolved lazily (at their first call, by the call's import fun).
unserved_import(Imports, Specs, Values, Opts) ->
    Lazy = maps:get(lazy_imports, Opts, false),
    StartFun = maps:get(import_fun, Opts, undefined),
    case Lazy =:= true orelse StartFun =/= undefined of
        true ->
            none;
        false ->
            Unserved = [{M, N} || {{M, N, {func, _, _}}, default}
                                      <- lists:zip(Imports, Specs),
                                  not maps:is_key({M, N}, Values)],
            case Unserved of
                [] -> none;
                [First | _] -> First
            end
    end.

unknown_import(M, N) ->
    #{reason => unknown_import, module => M, name => N,
      message => <<"unknown import: nothing serves this function import",
                   " (bind a fun, give an import_fun, or set",
                   " lazy_imports)">>}.

%% @equiv start_link(ModuleOrBinary, #{})
-spec start_link(wasm_module() | binary()) ->
          {ok, pid()} | {error, error_reason()}.
start_link(ModuleOrBinary) ->
    start_link(ModuleOrBinary, #{}).

%% @doc As {@link start/2}, and the calling process is linked to the
%% instance's owner process, for supervisors: the instance stops when
%% its supervisor stops it (an exit signal) or dies, and its supervisor
%% sees it end. {@link stop/1} ends it with reason `normal'.
%%
%% Example: `{ok, Pid} = beamr:start_link(Mod, #{name => calc})'.
-spec start_link(wasm_module() | binary(), start_opts()) ->
          {ok, pid()} | {error, error_reason()}.
start_link(ModuleOrBinary, Opts) when is_map(Opts) ->
    start(ModuleOrBinary, Opts#{'$link' => true});
start_link(ModuleOrBinary, Opts) ->
    erlang:error(badarg, [ModuleOrBinary, Opts]).

%% @doc A child specification for a supervisor: `{ModuleOrBinary,
%% StartOpts}' (or a module alone) started with {@link start_link/2}.
%% The id is the `name' option if given, else `beamr'; the child is a
%% `transient' worker (a {@link stop/1} is not restarted, a crash is).
%%
%% Example: `supervisor:start_child(Sup, beamr:child_spec({Mod, #{name
%% => calc}}))'.
-spec child_spec(wasm_module() | binary() |
                 {wasm_module() | binary(), start_opts()}) ->
          supervisor:child_spec().
child_spec({ModOrBin, Opts}) when is_map(Opts) ->
    #{id => maps:get(name, Opts, beamr),
      start => {beamr, start_link, [ModOrBin, Opts]},
      restart => transient,
      shutdown => 5000,
      type => worker,
      modules => [beamr, beamr_instance]};
child_spec(ModOrBin) when is_binary(ModOrBin);
                          is_record(ModOrBin, beamr_module) ->
    child_spec({ModOrBin, #{}});
child_spec(Other) ->
    erlang:error(badarg, [Other]).

%% How the NIF serves one import: `default' (functions: the call's
%% import fun; others: a fresh object), `wasi' or `emscripten' (native),
%% or the value given for a memory, table or global.
import_spec(M, N, Type = {func, _, _}, Values, Wasi) ->
    case import_value(M, N, Values, native) of
        import_fun -> default;
        native -> native_spec(M, N, Type, Wasi);
        {export, Inst, Name} -> link_spec(M, N, Inst, Name);
        F when is_function(F, 1); is_function(F, 2) -> default;
        Other -> erlang:error(badarg, [#{imports => #{{M, N} => Other}}])
    end;
import_spec(M, N, {global, Type, _}, Values, _Wasi) ->
    case import_value(M, N, Values, default) of
        {global, Value} -> {global, global_value(Value, Type)};
        {export, Inst, Name} -> link_spec(M, N, Inst, Name);
        Other -> Other
    end;
import_spec(M, N, _Type, Values, _Wasi) ->
    case import_value(M, N, Values, default) of
        {export, Inst, Name} -> link_spec(M, N, Inst, Name);
        Other -> Other
    end.

%% The value for one import: its own, else the instance given for its
%% whole module (its export of the same name), else `Default'.
import_value(M, N, Values, Default) ->
    case maps:find({M, N}, Values) of
        {ok, V} ->
            V;
        error ->
            case maps:find(M, Values) of
                {ok, Inst} -> {export, Inst, N};
                error -> Default
            end
    end.

%% An export of another running instance, linked natively.
link_spec(M, N, Inst, Name) when is_binary(Name);
                                 is_list(Name); is_atom(Name) ->
    Pid = case Inst of
              P when is_pid(P) -> P;
              A when is_atom(A) -> whereis(A);
              _ -> undefined
          end,
    case Pid of
        undefined ->
            erlang:error(badarg, [#{imports => #{{M, N} =>
                                                     {export, Inst, Name}}}]);
        _ ->
            {link, Pid, name_bin(Name)}
    end;
link_spec(M, N, Inst, Name) ->
    erlang:error(badarg, [#{imports => #{{M, N} => {export, Inst, Name}}}]).

name_bin(B) when is_binary(B) -> B;
name_bin(A) when is_atom(A) -> atom_to_binary(A);
name_bin(L) -> unicode:characters_to_binary(L).

%% Emscripten's invoke_* (with an index parameter) and longjmp run in
%% the engine whether or not WASI is native.
native_spec(<<"env">>, <<"invoke_", _/binary>>, {func, [P | _], _}, _Wasi)
  when P =:= i32; P =:= i64 ->
    invoke;
native_spec(<<"env">>, <<"_emscripten_throw_longjmp">>, _Type, _Wasi) ->
    longjmp;
native_spec(M, N, _Type, Wasi) ->
    native_spec(M, N, Wasi).

native_spec(<<"erl_nif">>, _N, _Wasi) ->
    erl_nif; % sandboxed NIFs: beamr_nif_guest
native_spec(_M, _N, undefined) ->
    default;
native_spec(?WASI_MODULE, _N, _Wasi) ->
    wasi;
native_spec(<<"env">>, <<"_emscripten_system">>, _Wasi) ->
    emscripten;
native_spec(<<"env">>, <<"__syscall_", _/binary>>, _Wasi) ->
    emscripten;
native_spec(_M, _N, _Wasi) ->
    default.

%% The WASI options as the NIF's tuple: {Args, Env, Preopens, Stdin,
%% Stdout, Stderr, MaxCapture, MaxFds}; badarg on anything else.
wasi_config(undefined) ->
    undefined;
wasi_config(Opts) when is_map(Opts) ->
    maps:foreach(fun(K, _) -> wasi_key(K, Opts) end, Opts),
    {[to_bin(A, args) || A <- list_opt(args, Opts)],
     [<<(to_bin(K, env))/binary, $=, (to_bin(V, env))/binary>>
      || {K, V} <- env_opt(Opts)],
     [preopen(P) || P <- list_opt(preopens, Opts)],
     stdin_opt(maps:get(stdin, Opts, empty)),
     output_opt(stdout, maps:get(stdout, Opts, capture)),
     output_opt(stderr, maps:get(stderr, Opts, capture)),
     case maps:get(max_capture, Opts, default) of
         default -> default;
         M when is_integer(M), M >= 0 -> M;
         M -> erlang:error(badarg, [#{wasi => #{max_capture => M}}])
     end,
     case maps:get(max_fds, Opts, default) of
         default -> default;
         N when is_integer(N), N > 0, N < 1 bsl 32 -> N;
         N -> erlang:error(badarg, [#{wasi => #{max_fds => N}}])
     end};
wasi_config(Other) ->
    erlang:error(badarg, [#{wasi => Other}]).

wasi_key(K, _Opts) when K =:= args; K =:= env; K =:= preopens;
                        K =:= stdin; K =:= stdout; K =:= stderr;
                        K =:= max_capture; K =:= max_fds ->
    ok;
wasi_key(K, Opts) ->
    erlang:error(badarg, [#{wasi => #{K => maps:get(K, Opts)}}]).

list_opt(Key, Opts) ->
    case maps:get(Key, Opts, []) of
        L when is_list(L) -> L;
        V -> erlang:error(badarg, [#{wasi => #{Key => V}}])
    end.

env_opt(Opts) ->
    case maps:get(env, Opts, []) of
        M when is_map(M) -> maps:to_list(M);
        L when is_list(L) ->
            [case E of
                 {_, _} -> E;
                 _ -> erlang:error(badarg, [#{wasi => #{env => L}}])
             end || E <- L];
        V -> erlang:error(badarg, [#{wasi => #{env => V}}])
    end.

to_bin(B, _Key) when is_binary(B) ->
    B;
to_bin(L, Key) when is_list(L) ->
    case unicode:characters_to_binary(L) of
        B when is_binary(B) -> B;
        _ -> erlang:error(badarg, [#{wasi => #{Key => L}}])
    end;
to_bin(A, env) when is_atom(A) ->
    atom_to_binary(A);
to_bin(Other, Key) ->
    erlang:error(badarg, [#{wasi => #{Key => Other}}]).

preopen({Guest, Host}) ->
    preopen({Guest, Host, read_write});
preopen({Guest, Host, Mode}) when Mode =:= read_only; Mode =:= read_write ->
    {to_bin(Guest, preopens), to_bin(Host, preopens), Mode =:= read_only};
preopen(Other) ->
    erlang:error(badarg, [#{wasi => #{preopens => [Other]}}]).

stdin_opt(empty) -> empty;
stdin_opt(inherit) -> inherit;
stdin_opt(Pipe) when is_reference(Pipe) -> Pipe; %% the NIF checks it
stdin_opt(Data) ->
    try iolist_to_binary(Data)
    catch error:badarg -> erlang:error(badarg, [#{wasi => #{stdin => Data}}])
    end.

output_opt(_Key, Mode) when Mode =:= capture; Mode =:= discard;
                            Mode =:= inherit ->
    Mode;
output_opt(_Key, {stream, Pid} = S) when is_pid(Pid), node(Pid) =:= node() ->
    S;
output_opt(Key, Other) ->
    erlang:error(badarg, [#{wasi => #{Key => Other}}]).

%% @doc A new pipe, to give as a WASI instance's `stdin': Erlang writes
%% to it with {@link pipe_write/2} while the program runs, and {@link
%% pipe_close/1} ends it (the program then reads end of file). A read of
%% an empty pipe suspends the wasm call: the calling process waits in a
%% receive (no scheduler is blocked) until data comes or the pipe
%% closes; the call's `timeout' still applies. One instance reads a
%% pipe.
%%
%% Example:
%% ```
%% P = beamr:pipe(),
%% {ok, I} = beamr:start(Cat, #{wasi => #{stdin => P}}),
%% spawn(fun() -> beamr:pipe_write(P, <<"hello">>), beamr:pipe_close(P) end),
%% {ok, _} = beamr:call(I, <<"_start">>, []).
%% '''
-spec pipe() -> pipe().
pipe() ->
    beamr_nif:pipe_new().

%% @doc Appends `Data' to a pipe; a program waiting on it goes on.
%% Errors: `{error, closed}' once the pipe is closed.
-spec pipe_write(pipe(), iodata()) -> ok | {error, closed}.
pipe_write(Pipe, Data) when is_reference(Pipe) ->
    beamr_nif:pipe_write(Pipe, iolist_to_binary(Data));
pipe_write(Pipe, Data) ->
    erlang:error(badarg, [Pipe, Data]).

%% @doc Closes a pipe: the program reads what is left, then end of file.
%% Idempotent.
-spec pipe_close(pipe()) -> ok.
pipe_close(Pipe) when is_reference(Pipe) ->
    beamr_nif:pipe_close(Pipe);
pipe_close(Pipe) ->
    erlang:error(badarg, [Pipe]).

%% @doc Runs a WASI command: starts an instance with native WASI (the
%% `wasi' options of {@link start/2}; stdout and stderr captured unless
%% said otherwise), calls `_start' to completion, stops the instance and
%% returns the exit code (0 when `_start' returns, N after
%% `proc_exit(N)') with what the program wrote.
%%
%% `Opts' holds start options (`wasi', `limits', `imports') and call
%% options (`timeout', `fuel', `fuel_slice', `import_fun', `state') for
%% the `_start' call.
%%
%% Errors: those of {@link start/2} and {@link call/4} (`{error, {trap,
%% Detail}}', `{error, timeout}', ...), `{error, function_not_found}'
%% without a `_start' export.
%%
%% Example:
%% ```
%% {ok, #{exit_code := 0, stdout := Out}} =
%%     beamr:run_wasi(Bin, #{wasi => #{args => ["prog", "-v"],
%%                                       stdin => <<"input">>}}).
%% '''
-spec run_wasi(wasm_module() | binary(), start_opts() | call_opts()) ->
          {ok, wasi_result()} | {error, error_reason()}.
run_wasi(ModOrBin, Opts) when is_map(Opts) ->
    CallKeys = [timeout, fuel, fuel_slice],
    StartOpts = maps:without(CallKeys, Opts),
    case start(ModOrBin, StartOpts#{wasi => maps:get(wasi, Opts, #{})}) of
        {ok, Pid} ->
            try
                run_command(Pid, maps:with(CallKeys ++ [import_fun, state],
                                           Opts))
            after
                stop(Pid)
            end;
        Error ->
            Error
    end;
run_wasi(ModOrBin, Opts) ->
    erlang:error(badarg, [ModOrBin, Opts]).

run_command(Pid, CallOpts) ->
    Code = case call(Pid, <<"_start">>, [], CallOpts) of
               {ok, _} -> {ok, 0};
               {error, {exit, C}} -> {ok, C};
               Error -> Error
           end,
    case Code of
        {ok, N} ->
            {ok, Out} = wasi_output(Pid, stdout),
            {ok, Err} = wasi_output(Pid, stderr),
            {ok, #{exit_code => N, stdout => Out, stderr => Err}};
        _ ->
            Code
    end.

%% @doc What a native-WASI instance wrote to a captured stream since the
%% last take (the buffer is then emptied); `<<>>' if the stream is not
%% captured or the instance has no WASI.
%% Errors: `stopped'.
%% Example: `{ok, <<"hello\n">>} = beamr:wasi_output(Inst, stdout)'.
-spec wasi_output(instance(), stdout | stderr) ->
          {ok, binary()} | {error, error_reason()}.
wasi_output(Inst, Stream) when is_atom(Inst) ->
    wasi_output(pid_of(Inst), Stream);
wasi_output(Pid, Stream) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, wasi_output, [Stream]);
wasi_output(Pid, Stream) when is_pid(Pid),
                              (Stream =:= stdout orelse Stream =:= stderr) ->
    beamr_nif:wasi_output(Pid, Stream);
wasi_output(Inst, Stream) ->
    erlang:error(badarg, [Inst, Stream]).

%% The tier travels to the NIF in the limits map (the store's setting).
tier_opt(Opts, Limits) ->
    case maps:get(tier, Opts, application:get_env(beamr, tier, auto)) of
        T when T =:= interp; T =:= native; T =:= auto -> Limits#{tier => T};
        T -> erlang:error(badarg, [#{tier => T}])
    end.

check_limits(Limits) when is_map(Limits) ->
    maps:foreach(
      fun(max_memory_pages, infinity) ->
              ok;
         (K, V) when (K =:= max_memory_pages orelse K =:= max_table_size
                      orelse K =:= max_call_depth), is_integer(V), V > 0 ->
              ok;
         (K, V) ->
              erlang:error(badarg, [#{limits => #{K => V}}])
      end, Limits),
    Limits;
check_limits(Other) ->
    erlang:error(badarg, [#{limits => Other}]).

run_start(Pid, false, _Opts) ->
    {ok, Pid};
run_start(Pid, true, #{'$defer_start' := true}) ->
    %% A remote start: the caller runs it, its imports in its process.
    {ok, Pid, start_pending};
run_start(Pid, true, Opts) ->
    Fun = maps:get(import_fun, Opts, undefined),
    State = maps:get(state, Opts, undefined),
    case call(Pid, '$start', [], Fun, State, Opts) of
        {ok, _, _} ->
            {ok, Pid};
        Error ->
            stop(Pid),
            Error
    end.

%% @doc Stops an instance: a running call ends at once with
%% `{error, stopped}', queued calls get `{error, stopped}', and the
%% owner process exits. Idempotent: stopping a stopped instance is ok.
-spec stop(instance()) -> ok.
stop(Inst) when is_atom(Inst) ->
    case whereis(Inst) of
        undefined -> ok; %% stopped already (its name went with it)
        Pid -> stop(Pid)
    end;
stop(Pid) when is_pid(Pid) ->
    Mon = erlang:monitor(process, Pid),
    Pid ! {beamr_stop, self(), Mon},
    receive
        {'DOWN', Mon, process, Pid, _} -> ok
    after 5000 ->
        erlang:demonitor(Mon, [flush]),
        ok
    end;
stop(Other) ->
    erlang:error(badarg, [Other]).

%% @doc Gives the instance `N' more units of fuel (about one per
%% instruction): from then on every call draws from this budget, and
%% a call that exhausts it ends with `{error, out_of_fuel}' (the
%% instance stays usable; add fuel to go on). An instance never given
%% fuel is unmetered. A call's own `fuel' option still bounds that
%% call as well.
%%
%% Errors: `stopped'. Raises `badarg' unless `N' is a non-negative
%% integer.
%%
%% Example: `ok = beamr:add_fuel(Inst, 10000)'.
-spec add_fuel(instance(), non_neg_integer()) -> ok | {error, stopped}.
add_fuel(Pid, N) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, add_fuel, [N]);
add_fuel(Inst, N) when is_integer(N), N >= 0, N < 1 bsl 63 ->
    beamr_nif:fuel_add(pid_of(Inst), N);
add_fuel(Inst, N) ->
    erlang:error(badarg, [Inst, N]).

%% @doc The instance's fuel budget: `{ok, N}', or `{ok, infinity}' if it
%% was never given fuel (unmetered).
%% Errors: `stopped'.
%% Example: `{ok, 9940} = beamr:fuel_remaining(Inst)'.
-spec fuel_remaining(instance()) ->
          {ok, non_neg_integer() | infinity} | {error, stopped}.
fuel_remaining(Pid) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, fuel_remaining, []);
fuel_remaining(Inst) ->
    beamr_nif:fuel_remaining(pid_of(Inst)).

%% @private
%% @doc The hb_beamr mode an instance was started with (`seed' unless
%% hb_beamr started it in the `hyperbeam' mode).
-spec hb_mode(instance()) -> seed | hyperbeam.
hb_mode(Pid) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, hb_mode, []);
hb_mode(Inst) ->
    case beamr_nif:instance_mode(pid_of(Inst)) of
        hyperbeam -> hyperbeam;
        _ -> seed %% also for a stopped instance: the call then says so
    end.

%% @doc The imports of a module or an instance, in import order.
%% Example: `[{<<"my_lib">>, <<"mul">>, {func, [i32, i32], [i32]}}]'.
-spec imports(wasm_module() | instance()) ->
          [{binary(), binary(), externtype()}] | {error, stopped}.
imports(#beamr_module{imports = Imports}) ->
    Imports;
imports(Inst) when is_atom(Inst) ->
    imports(pid_of(Inst));
imports(Pid) when is_pid(Pid) ->
    with_module(Pid, fun(#beamr_module{imports = I}) -> I end).

%% @doc The exports of a module or an instance, in export order.
%% Example: `[{<<"fac">>, {func, [f64], [f64]}}, {<<"memory">>,
%% {memory, #{min => 1, ...}}}]'.
-spec exports(wasm_module() | instance()) ->
          [{binary(), externtype()}] | {error, stopped}.
exports(#beamr_module{exports = Exports}) ->
    Exports;
exports(Inst) when is_atom(Inst) ->
    exports(pid_of(Inst));
exports(Pid) when is_pid(Pid) ->
    with_module(Pid, fun(#beamr_module{exports = E}) -> E end).

%% @doc A function type in the compact form hb_beamr uses: parameter
%% letters in parentheses, then result letters; `i' i32, `I' i64, `f'
%% f32, `F' f64, `v' v128, `r' funcref, `e' externref, `x' exnref, `a'
%% anyref (GC references).
%% Example:
%% `signature([i32, i32], [i32]) =:= "(ii)i"'.
-spec signature([valtype()], [valtype()]) -> string().
signature(Params, Results) ->
    "(" ++ [letter(P) || P <- Params] ++ ")" ++ [letter(R) || R <- Results].

letter(i32) -> $i;
letter(i64) -> $I;
letter(f32) -> $f;
letter(f64) -> $F;
letter(v128) -> $v;
letter(funcref) -> $r;
letter(externref) -> $e;
letter(exnref) -> $x;
letter(anyref) -> $a.

%% ------------------------------------------------------------------
%% v128 lanes

%% @doc The v128 integer (below 2^128, lane 0 in the low bits) of
%% `Lanes', lane 0 first: 16 lanes for `i8x16', 8 for `i16x8', 4 for
%% `i32x4' and `f32x4', 2 for `i64x2' and `f64x2'. An integer lane of N
%% bits may be given signed or unsigned (-2^(N-1) .. 2^N-1). A float
%% lane is what an f32 or f64 argument takes: a float, an integer
%% (-2^63 .. 2^64-1), `nan' (the canonical quiet NaN), `infinity' or
%% `` '-infinity' ''; an f32 lane is rounded to the nearest f32, and to
%% an infinity beyond the f32 range, as an f32 argument is.
%%
%% Wherever a v128 goes into wasm, `{Shape, Lanes}' may stand for
%% `v128(Shape, Lanes)': the arguments of {@link call/6} (and `call/3,4'),
%% an import fun's results, {@link global_set/3} and `{global, Value}'
%% import values. A pair that is not valid there is `{error,
%% {invalid_args, Args}}' (Args as given), as any bad argument is.
%% Such a pair is converted only at a v128 position, so an externref
%% argument may be any term; except in a call by table index, whose
%% parameter types beamr only learns inside the call: there every
%% valid pair is taken as a v128. v128 results stay integers: convert
%% them with {@link v128_lanes/2} (a v128 has no shape of its own).
%%
%% Raises `badarg' for an unknown shape, the wrong number of lanes or
%% a lane out of range or of the wrong type.
%%
%% Example: `beamr:v128(i32x4, [1, -1, 0, 0]) =:= 16#ffffffff00000001'.
-spec v128(v128_shape(), [v128_lane()]) -> non_neg_integer().
v128(Shape, Lanes) ->
    case beamr_v128:from_lanes(Shape, Lanes) of
        {ok, V} -> V;
        error -> erlang:error(badarg, [Shape, Lanes])
    end.

%% @doc The lanes of a v128 integer, lane 0 first (the inverse of
%% {@link v128/2}). Integer lanes are signed, as i32 and i64 results
%% are; float lanes are floats or `nan', `infinity', `` '-infinity' ''
%% (a NaN's sign and payload are not kept).
%%
%% Raises `badarg' for an unknown shape or a `V128' that is not an
%% integer in 0 .. 2^128-1.
%%
%% Example: `[1, -1, 0, 0] = beamr:v128_lanes(i32x4, 16#ffffffff00000001)'.
-spec v128_lanes(v128_shape(), non_neg_integer()) -> [v128_lane()].
v128_lanes(Shape, V128) ->
    case beamr_v128:to_lanes(Shape, V128) of
        {ok, Lanes} -> Lanes;
        error -> erlang:error(badarg, [Shape, V128])
    end.

%% ------------------------------------------------------------------
%% Calls

%% @doc Calls an export (by name) or the function at an index of table
%% 0. An import reached during the call is an error
%% (`{unhandled_import, Module, Name}'): use {@link call/4} or
%% {@link call/6} to serve imports. A v128 argument may be given as
%% lanes, `{Shape, Lanes}' (see {@link v128/2}); v128 results are
%% integers ({@link v128_lanes/2}).
%%
%% Example: `{ok, [120.0]} = beamr:call(Inst, <<"fac">>, [5.0])'.
-spec call(instance(), func_ref(), [value()]) ->
          {ok, [value()]} | {error, error_reason()}.
call(Pid, Func, Args) ->
    call(Pid, Func, Args, #{}).

%% @doc Calls with options: `fuel' (instructions, about; `{error,
%% out_of_fuel}' when spent), `timeout' (milliseconds, including the
%% wait for the instance; `{error, timeout}' leaves the instance
%% usable), `fuel_slice' (instructions per slice: a test knob; slices
%% adapt to about 0.2 ms otherwise), `import_fun' and `state' (the
%% final state is dropped: use {@link call/6} to get it back).
%%
%% Example: `beamr:call(Inst, <<"loop">>, [], #{timeout => 100})'.
-spec call(instance(), func_ref(), [value()], call_opts()) ->
          {ok, [value()]} | {error, error_reason()} |
          {error, atom(), term(), list(), term()}.
call(Inst, Func, Args, Opts) when is_map(Opts) ->
    Fun = maps:get(import_fun, Opts, undefined),
    State = maps:get(state, Opts, undefined),
    case call(Inst, Func, Args, Fun, State, Opts) of
        {ok, Results, _} -> {ok, Results};
        Error -> Error
    end;
call(Inst, Func, Args, Opts) ->
    erlang:error(badarg, [Inst, Func, Args, Opts]).

%% @doc Calls with an import fun and a state threaded through its
%% invocations: `ImportFun(State, #{instance, module, func, args,
%% func_sig}, Opts) -> {ok, Results, NewState}'. `Opts' is handed to the
%% fun unchanged (and read for `fuel', `timeout' and `fuel_slice').
%% Extra results are ignored; too few or mistyped ones trap the wasm
%% code (`host_error'). If the fun raises, the call is abandoned and
%% the result is `{error, Class, Reason, Stacktrace, State}'.
%%
%% Without an import fun (`undefined'), imports are served by what
%% {@link start/2} bound: a fun bound to the import, else the start's
%% `import_fun' (with the call's `State', or the start's `state' if the
%% call gives `undefined'). A bound `fun(Args)' or `fun(Ctx, Args)'
%% returns the results as a list; anything else traps the wasm code
%% (`host_error'); if it raises, the result is `{error, Class, Reason,
%% Stacktrace, State}' as for an import fun.
%%
%% `timeout' covers the whole call, import funs included. An import
%% fun runs in the calling process and cannot be interrupted: when the
%% deadline passes while it runs, the call is ended and the instance
%% released at once (other callers go on), and the caller gets
%% `{error, timeout}' when the fun returns (its answer is dropped).
%%
%% Raises `badarg' if `Instance' is neither a pid nor a registered
%% name, and for bad options.
%%
%% Example:
%% `{ok, [32], N} = beamr:call(Inst, <<"pow">>, [2, 5], fun(N, #{args :=
%% [A, B]}, _) -> {ok, [A * B], N + 1} end, 0, #{})'.
-spec call(instance(), func_ref() | '$start', [value()],
           import_fun() | undefined, term(), call_opts() | term()) ->
          {ok, [value()], term()} | {error, error_reason()} |
          {error, atom(), term(), list(), term()}.
call(Inst, Func, Args, Fun, State, Opts) ->
    case call_state(Inst, Func, Args, Fun, State, Opts) of
        {error, Reason, _State} -> {error, Reason};
        Other -> Other
    end.

%% @doc As {@link call/6}, but a failure of the wasm side (a trap, an
%% unknown function, a timeout, ...) keeps the state the import funs
%% reached: `{error, Reason, State}', HyperBEAM's shape. Invalid
%% arguments stay `{error, {invalid_args, Args}}' and a raising import
%% fun `{error, Class, Reason, Stacktrace, State}'.
-spec call_state(instance(), func_ref() | '$start', [value()],
                 import_fun() | undefined, term(), call_opts() | term()) ->
          {ok, [value()], term()} | {error, error_reason()} |
          {error, error_reason(), term()} |
          {error, atom(), term(), list(), term()}.
call_state(Inst, Func, Args, Fun, State, Opts) when is_atom(Inst) ->
    call_state(pid_of(Inst), Func, Args, Fun, State, Opts);
call_state(Pid, Func, Args, Fun, State, Opts) when is_pid(Pid),
                                                 node(Pid) =/= node() ->
    beamr_dist:call(Pid, Func, Args, Fun, State, Opts);
call_state(Pid, Func, Args, Fun, State, Opts) when is_pid(Pid) ->
    beamr_call:run(Pid, Func, Args, Fun, State, Opts);
call_state(Inst, Func, Args, Fun, State, Opts) ->
    erlang:error(badarg, [Inst, Func, Args, Fun, State, Opts]).

%% The module of a running instance, asked of its owner process.
with_module(Pid, Fun) when is_pid(Pid) ->
    Mon = erlang:monitor(process, Pid),
    Pid ! {beamr_get, self(), Mon},
    receive
        {beamr_info, Mon, Mod} ->
            erlang:demonitor(Mon, [flush]),
            Fun(Mod);
        {'DOWN', Mon, process, Pid, _} ->
            {error, stopped}
    end.

%% ------------------------------------------------------------------
%% Memory (memory 0), globals, tables

%% @doc What the instance's GC heap (WebAssembly 3.0 structs and
%% arrays) has done: `heap_bytes' and `peak_heap_bytes' (pages and large
%% objects), `limit_bytes' (`max_memory_pages' * 64 KiB), `live_bytes',
%% `allocated_bytes' and `allocations' (ever), `cycles' (collections),
%% `full_collections' (run whole at the limit), `steps', the worst step
%% as `max_step_work' (work units, about a byte traced or swept each) and
%% `max_step_ns', `max_root_work', `pages', `large_objects' and `pinned'
%% (objects Erlang terms hold). All 0 before the first GC object.
%% Errors: `stopped'.
%% Example: `{ok, #{cycles := C}} = beamr:gc_stats(Inst)'.
-spec gc_stats(instance()) ->
          {ok, #{atom() => non_neg_integer()}} | {error, error_reason()}.
gc_stats(Inst) when is_atom(Inst) ->
    gc_stats(pid_of(Inst));
gc_stats(Pid) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, gc_stats, []);
gc_stats(Pid) when is_pid(Pid) ->
    beamr_nif:gc_stats(Pid).

%% @doc The size of memory 0 in bytes.
%% Errors: `no_memory', `stopped'.
%% Example: `{ok, 65536} = beamr:memory_size(Inst)'.
-spec memory_size(instance()) ->
          {ok, non_neg_integer()} | {error, error_reason()}.
memory_size(Inst) when is_atom(Inst) ->
    memory_size(pid_of(Inst));
memory_size(Pid) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, memory_size, []);
memory_size(Pid) when is_pid(Pid) ->
    beamr_nif:memory_size(Pid).

%% @doc Reads `Length' bytes at `Offset' of memory 0.
%% Errors: `out_of_bounds', `no_memory', `stopped'. Raises `badarg'
%% for a negative offset or length.
%% Example: `{ok, <<"Hello">>} = beamr:read(Inst, 66, 5)'.
-spec read(instance(), integer(), integer()) ->
          {ok, binary()} | {error, error_reason()}.
read(Inst, Offset, Length) when is_atom(Inst) ->
    read(pid_of(Inst), Offset, Length);
read(Pid, Offset, Length) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, read, [Offset, Length]);
read(Pid, Offset, Length) when is_pid(Pid), is_integer(Offset),
                               is_integer(Length), Offset >= 0,
                               Length >= 0 ->
    beamr_nif:memory_read(Pid, Offset, Length);
read(Pid, Offset, Length) ->
    erlang:error(badarg, [Pid, Offset, Length]).

%% @doc Writes `Data' (iodata) at `Offset' of memory 0.
%% Errors: as {@link read/3}.
%% Example: `ok = beamr:write(Inst, 0, <<"hi">>)'.
-spec write(instance(), integer(), iodata()) ->
          ok | {error, error_reason()}.
write(Inst, Offset, Data) when is_atom(Inst) ->
    write(pid_of(Inst), Offset, Data);
write(Pid, Offset, Data) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, write, [Offset, Data]);
write(Pid, Offset, Data) when is_pid(Pid), is_integer(Offset) ->
    beamr_nif:memory_write(Pid, Offset, iolist_to_binary(Data));
write(Pid, Offset, Data) ->
    erlang:error(badarg, [Pid, Offset, Data]).

%% @equiv read_string(Instance, Offset, infinity)
-spec read_string(instance(), integer()) ->
          {ok, binary()} | {error, error_reason()}.
read_string(Pid, Offset) ->
    read_string(Pid, Offset, infinity).

%% @doc Reads the NUL-terminated string at `Offset' (without the NUL),
%% looking at most `Max' bytes ahead.
%% Errors: `string_too_long' when no NUL is within the `Max' bytes (all
%% inside the memory), `out_of_bounds' when the memory ends first (or
%% `Offset' is outside it), `no_memory', `stopped'.
-spec read_string(instance(), integer(), non_neg_integer() | infinity) ->
          {ok, binary()} | {error, error_reason()}.
read_string(Inst, Offset, Max) when is_atom(Inst) ->
    read_string(pid_of(Inst), Offset, Max);
read_string(Pid, Offset, Max) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, read_string, [Offset, Max]);
read_string(Pid, Offset, Max) when is_pid(Pid), is_integer(Offset),
                                   (Max =:= infinity orelse
                                    (is_integer(Max) andalso Max >= 0)) ->
    case beamr_nif:memory_read_cstring(Pid, Offset, Max) of
        {error, out_of_bounds} when is_integer(Max), Offset >= 0 ->
            case beamr_nif:memory_size(Pid) of
                {ok, Size} when Offset + Max =< Size ->
                    {error, string_too_long};
                _ ->
                    {error, out_of_bounds}
            end;
        Other ->
            Other
    end;
read_string(Inst, Offset, Max) ->
    erlang:error(badarg, [Inst, Offset, Max]).

%% @doc Grows memory 0 by `Pages' pages of 64 KiB; returns the old size
%% in pages. Errors: `limit' (the declared maximum or the instance's
%% `max_memory_pages'), `no_memory'.
-spec grow(instance(), non_neg_integer()) ->
          {ok, non_neg_integer()} | {error, error_reason()}.
grow(Inst, Pages) when is_atom(Inst) ->
    grow(pid_of(Inst), Pages);
grow(Pid, Pages) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, grow, [Pages]);
grow(Pid, Pages) when is_pid(Pid), is_integer(Pages), Pages >= 0 ->
    beamr_nif:memory_grow(Pid, Pages);
grow(Inst, Pages) ->
    erlang:error(badarg, [Inst, Pages]).

%% @doc A copy of the whole of memory 0 (a checkpoint of the memory
%% only; {@link snapshot/1} saves the whole state).
%% Example: `{ok, Mem} = beamr:serialize(Inst)'.
-spec serialize(instance()) -> {ok, binary()} | {error, error_reason()}.
serialize(Inst) when is_atom(Inst) ->
    serialize(pid_of(Inst));
serialize(Pid) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, serialize, []);
serialize(Pid) when is_pid(Pid) ->
    case beamr_nif:memory_size(Pid) of
        {ok, Size} -> beamr_nif:memory_read(Pid, 0, Size);
        Error -> Error
    end.

%% @doc Restores memory 0 from {@link serialize/1} output, growing the
%% memory first if the checkpoint is larger.
-spec deserialize(instance(), binary()) -> ok | {error, error_reason()}.
deserialize(Inst, Memory) when is_atom(Inst) ->
    deserialize(pid_of(Inst), Memory);
deserialize(Pid, Memory) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, deserialize, [Memory]);
deserialize(Pid, Memory) when is_pid(Pid), is_binary(Memory) ->
    case beamr_nif:memory_size(Pid) of
        {ok, Size} when Size >= byte_size(Memory) ->
            beamr_nif:memory_write(Pid, 0, Memory);
        {ok, Size} ->
            Pages = (byte_size(Memory) - Size + 65535) div 65536,
            case beamr_nif:memory_grow(Pid, Pages) of
                {ok, _} -> beamr_nif:memory_write(Pid, 0, Memory);
                Error -> Error
            end;
        Error ->
            Error
    end.

%% @doc A snapshot of the instance's whole mutable state: every memory
%% it defines (size and contents), its mutable globals (the stack
%% pointer of C programs among them), the tables it defines and its
%% dropped segments. {@link restore/2} puts it into a fresh instance of
%% the same module, which then goes on where this one was. If a call is
%% running, it is taken between two of its slices (take it between
%% calls).
%%
%% Errors: `stopped', `{snapshot, Detail}' (for example an externref in
%% a table, which cannot be saved).
%%
%% Example: `{ok, Snap} = beamr:snapshot(Inst)'.
-spec snapshot(instance()) -> {ok, binary()} | {error, error_reason()}.
snapshot(Inst) when is_atom(Inst) ->
    snapshot(pid_of(Inst));
snapshot(Pid) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, snapshot, []);
snapshot(Pid) when is_pid(Pid) ->
    beamr_suspend:snapshot(Pid, #{}).

%% @doc {@link snapshot/1} with options: `call => false' leaves a
%% waiting call out (the instance's state only). See `beamr_suspend'.
-spec snapshot(instance(), #{call => boolean()}) ->
          {ok, binary()} | {error, error_reason()}.
snapshot(Inst, Opts) when is_atom(Inst) ->
    snapshot(pid_of(Inst), Opts);
snapshot(Pid, Opts) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, snapshot, [Opts]);
snapshot(Pid, Opts) when is_pid(Pid), is_map(Opts) ->
    beamr_suspend:snapshot(Pid, Opts).

%% @equiv resume(Instance, undefined, undefined, #{})
-spec resume(instance()) -> {ok, [value()]} | {error, error_reason()}.
resume(Inst) ->
    resume(Inst, #{}).

%% @doc Continues the call that {@link restore/2} (or a call stopped
%% with `out_of_fuel => suspend') left waiting in the instance, with
%% the options of {@link call/4}. See {@link resume/4}.
-spec resume(instance(), call_opts()) ->
          {ok, [value()]} | {error, error_reason()} |
          {error, atom(), term(), list(), term()}.
resume(Inst, Opts) when is_map(Opts) ->
    Fun = maps:get(import_fun, Opts, undefined),
    case resume(Inst, Fun, maps:get(state, Opts, undefined), Opts) of
        {ok, Results, _} -> {ok, Results};
        Error -> Error
    end.

%% @doc Continues the waiting call of the instance to its end, as
%% {@link call/6} runs a call: a call captured in an import first
%% serves that import again with `ImportFun' (or what the start bound),
%% here; one captured at a yield or out of fuel runs on. See
%% `beamr_suspend' for the whole story.
%%
%% Errors: those of {@link call/6}, and `no_suspended_call'.
%%
%% Example: `{ok, [R], S} = beamr:resume(Inst, Fun, S0, #{})'.
-spec resume(instance(), import_fun() | undefined, term(), call_opts()) ->
          {ok, [value()], term()} | {error, error_reason()} |
          {error, atom(), term(), list(), term()}.
resume(Inst, Fun, State, Opts) ->
    call(Inst, '$parked', [], Fun, State, Opts).

%% @doc Restores a {@link snapshot/1} into an instance of the same
%% module (memories grow to the saved size).
%%
%% Errors: `{snapshot, #{reason := Reason}}' with `Reason'
%% `snapshot_mismatch' (another module, or state that does not fit) or
%% one of the `aot_*' reasons for input that is not a valid snapshot.
%% `stopped'.
%%
%% Example: `ok = beamr:restore(Inst2, Snap)'.
-spec restore(instance(), binary()) -> ok | {error, error_reason()}.
restore(Inst, Snapshot) when is_atom(Inst) ->
    restore(pid_of(Inst), Snapshot);
restore(Pid, Snapshot) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, restore, [Snapshot]);
restore(Pid, Snapshot) when is_pid(Pid), is_binary(Snapshot) ->
    beamr_suspend:restore(Pid, Snapshot).

%% @equiv migrate(Instance, Node, #{})
-spec migrate(instance(), node()) -> {ok, pid()} | {error, error_reason()}.
migrate(Inst, Node) ->
    migrate(Inst, Node, #{}).

%% @doc Moves an instance, between calls, to `Node' (a connected node,
%% or this one): waits for the running call to end (calls queued after
%% it wait too), takes a {@link snapshot/1}, starts the module on
%% `Node' (sent there once, see `node' in {@link start/2}) without
%% running its start function again, restores the snapshot there and
%% stops the old instance. Returns the new instance's pid. The new
%% instance keeps the bound import funs, the start's `import_fun' and
%% `state' and the process it stops with (or stays detached); imports
%% no fun served stay lazily resolved. `StartOpts' adds start options
%% for the new instance (`limits', `wasi', `name', ...): what was given
%% at the first start and not listed above is not carried over; and
%% `timeout' (milliseconds, default `infinity'): how long to wait for
%% the running call to end (`{error, timeout}' then, nothing moved).
%%
%% Calls queued at the old instance during the move are run by the new
%% one (each once); a call made to the old pid afterwards gets `{error,
%% stopped}'. Monitors of the old pid see `{shutdown, {beamr_migrated,
%% NewPid}}'. If anything fails, the old instance goes on unchanged.
%%
%% Errors: `stopped', `timeout', `{not_migratable, linked}' (started with {@link
%% start_link/2}: its links cannot move), `{not_migratable, {import,
%% Module, Name}}' (it imports a memory, table or global, which a
%% snapshot does not hold), `{nodedown, Node}', `{build_mismatch,
%% Node}' (another beamr build there), those of {@link snapshot/1} and
%% {@link restore/2}.
%%
%% Example: `{ok, Inst2} = beamr:migrate(Inst, node2@host)'.
-spec migrate(instance(), node(), start_opts()) ->
          {ok, pid()} | {error, error_reason()}.
migrate(Inst, Node, Opts) when is_atom(Node), is_map(Opts) ->
    beamr_dist:migrate(pid_of(Inst), Node, Opts);
migrate(Inst, Node, Opts) ->
    erlang:error(badarg, [Inst, Node, Opts]).

%% @doc The value of an exported global.
%% Errors: `not_found'.
%% Example: `{ok, 42} = beamr:global_get(Inst, <<"meaning_of_life">>)'.
-spec global_get(instance(), binary() | string()) ->
          {ok, value()} | {error, error_reason()}.
global_get(Inst, Name) when is_atom(Inst) ->
    global_get(pid_of(Inst), Name);
global_get(Pid, Name) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, global_get, [Name]);
global_get(Pid, Name) when is_pid(Pid) ->
    beamr_nif:global_get(Pid, iolist_to_binary(Name)).

%% @doc Sets an exported mutable global. A v128 global also takes lanes,
%% `{Shape, Lanes}' (see {@link v128/2}).
%% Errors: `not_found', `immutable', `{invalid_args, [Value]}'.
-spec global_set(instance(), binary() | string(), value()) ->
          ok | {error, error_reason()}.
global_set(Inst, Name, Value) when is_atom(Inst) ->
    global_set(pid_of(Inst), Name, Value);
global_set(Pid, Name, Value) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, global_set, [Name, Value]);
global_set(Pid, Name, Value) when is_pid(Pid) ->
    Bin = iolist_to_binary(Name),
    case beamr_v128:has_pair([Value]) of
        false -> beamr_nif:global_set(Pid, Bin, Value);
        true -> lane_global_set(Pid, Bin, Value)
    end.

lane_global_set(Pid, Name, Value) ->
    Type = case beamr_call:export_type(Pid, Name) of
               {global, T, _} -> T;
               _ -> none
           end,
    case beamr_nif:global_set(Pid, Name, global_value(Value, Type)) of
        {error, {invalid_args, _}} -> {error, {invalid_args, [Value]}};
        Result -> Result
    end.

global_value(Value, Type) ->
    [V] = beamr_v128:convert([Value], [Type]),
    V.

%% @doc The size of a table, by export name or table index.
%% Errors: `no_table'.
-spec table_size(instance(), binary() | non_neg_integer()) ->
          {ok, non_neg_integer()} | {error, error_reason()}.
table_size(Inst, Table) when is_atom(Inst) ->
    table_size(pid_of(Inst), Table);
table_size(Pid, Table) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, table_size, [Table]);
table_size(Pid, Table) when is_pid(Pid) ->
    beamr_nif:table_size(Pid, Table).

%% @doc The entry at `Index' of a table: `null', a funcref (opaque) or
%% the Erlang term of an externref.
%% Errors: `no_table', `out_of_bounds'.
-spec table_get(instance(), binary() | non_neg_integer(), integer()) ->
          {ok, value()} | {error, error_reason()}.
table_get(Inst, Table, Index) when is_atom(Inst) ->
    table_get(pid_of(Inst), Table, Index);
table_get(Pid, Table, Index) when is_pid(Pid), node(Pid) =/= node() ->
    beamr_dist:remote(Pid, table_get, [Table, Index]);
table_get(Pid, Table, Index) when is_pid(Pid), is_integer(Index) ->
    beamr_nif:table_get(Pid, Table, Index).

%% ------------------------------------------------------------------
%% Sandboxed NIFs (beamr_nif_guest)

%% @equiv call_nif(Inst, Name, Args, #{})
-spec call_nif(instance(), binary() | string() | atom(), [term()]) ->
          {ok, term()} | {error, error_reason()}.
call_nif(Pid, Name, Args) ->
    beamr_nif_guest:call(Pid, Name, Args, #{}).

%% @doc Calls a NIF function compiled to wasm against
%% `include/erl_nif_wasm.h': it gets `Args' as terms and its result
%% term is the answer. See {@link beamr_nif_guest:call/4} for the
%% options and errors.
%%
%% Example: `{ok, 25} = beamr:call_nif(Inst, <<"add_list_terms">>,
%% [[4, 6, 3, 7, 5]])'.
-spec call_nif(instance(), binary() | string() | atom(), [term()], map()) ->
          {ok, term()} | {error, error_reason()}.
call_nif(Pid, Name, Args, Opts) ->
    beamr_nif_guest:call(Pid, Name, Args, Opts).
