# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.WasiTest do
  # The C programs of test/wasi, built into build/wasi (make wasi-programs).
  use ExUnit.Case, async: true
  import TestHelper, only: [wasi_program: 1]

  defp program(name), do: File.read!(wasi_program(name))
  defp expected(name), do: File.read!(Path.join("test/wasi/expected", name))

  # A fresh directory of the system's temporary folder, removed after.
  setup do
    dir = Path.join(System.tmp_dir!(), "beamr-exunit-#{System.unique_integer([:positive])}")
    File.mkdir_p!(dir)
    on_exit(fn -> File.rm_rf!(dir) end)
    %{tmp_dir: dir}
  end

  test "run_wasi: args and env, as node's WASI gives them" do
    wasi = %Beamr.Wasi{
      args: ["args_env", "one", "two", "three"],
      env: [{"HOME", "/home/guest"}, {"LANG", "C"}, {"EMPTY", ""}, {"X", "1=2"}]
    }

    assert {:ok, %{exit_code: 0, stdout: out, stderr: ""}} =
             Beamr.run_wasi(program("args_env"), wasi)

    assert out == expected("args_env.stdout")
  end

  test "run_wasi: stdin from a binary, and the empty default" do
    poem = File.read!("test/wasi/data/poem.txt")
    {:ok, result} = Beamr.run_wasi(program("cat_stdin"), wasi: [stdin: poem])
    assert result.stdout == expected("cat_stdin.stdout")
    {:ok, result} = Beamr.run_wasi(program("cat_stdin"), wasi: true)
    assert result.stdout =~ "bytes=0 lines=0 words=0"
  end

  test "exit codes: run_wasi returns them, call_function gives {:exit, code}" do
    module = Beamr.Module.compile!(program("exit_code"))

    assert {:ok, %{exit_code: 42, stdout: out}} =
             Beamr.run_wasi(module, wasi: [args: ["exit_code", "42"]])

    assert out == expected("exit_42.stdout")
    assert {:ok, %{exit_code: 7}} = Beamr.run_wasi(module, wasi: [args: ["exit_code", "ret7"]])

    {:ok, pid} = Beamr.start_link(module: module, wasi: [args: ["exit_code", "3"]])
    assert {:error, {:exit, 3}} = Beamr.call_function(pid, :_start, [])

    assert {:ok, "buffered line before exit\natexit handler ran\n"} =
             Beamr.Wasi.output(pid, :stdout)

    assert {:ok, ""} = Beamr.Wasi.output(pid, :stdout)
  end

  test "preopens: read-write and read-only directories", %{tmp_dir: dir} do
    rw = Path.join(dir, "rw")
    File.mkdir_p!(rw)
    preopen = %Beamr.Wasi.Preopen{path: rw, alias: "/sandbox"}

    assert {:ok, %{exit_code: 0, stdout: out}} =
             Beamr.run_wasi(program("files"), wasi: [preopens: [preopen]])

    assert out =~ "fopen w: ok"

    # test/wasi/readonly.c: /ro refuses every change, /sandbox does not.
    ro = Path.join(dir, "ro")
    File.mkdir_p!(ro)
    File.write!(Path.join(ro, "data.txt"), "read only data\n")
    File.rm_rf!(rw) && File.mkdir_p!(rw)

    preopens = [
      %Beamr.Wasi.Preopen{path: ro, alias: "/ro", write: false},
      {"/sandbox", rw}
    ]

    assert {:ok, %{exit_code: 0, stdout: out}} =
             Beamr.run_wasi(program("readonly"), wasi: [preopens: preopens])

    assert out == expected("readonly.stdout")
    assert File.ls!(ro) == ["data.txt"]
  end

  test "preopens beamr cannot grant, and a missing host directory", %{tmp_dir: dir} do
    assert_raise ArgumentError, ~r/write-only/, fn ->
      Beamr.run_wasi(program("files"),
        wasi: [preopens: [%Beamr.Wasi.Preopen{path: dir, read: false}]]
      )
    end

    missing = %Beamr.Wasi.Preopen{path: Path.join(dir, "missing"), alias: "/sandbox"}

    assert {:error, %Beamr.Error{kind: :wasi}} =
             Beamr.run_wasi(program("files"), wasi: [preopens: [missing]])
  end

  test "stdout and stderr: captured, discarded, streamed to a pid" do
    bytes = program("stdio_mix")
    {:ok, captured} = Beamr.run_wasi(bytes, wasi: true)
    assert captured.stdout == expected("stdio_mix.stdout")
    assert captured.stderr == expected("stdio_mix.stderr")

    assert {:ok, %{stdout: "", stderr: err}} = Beamr.run_wasi(bytes, wasi: [stdout: :discard])
    assert err == captured.stderr

    {:ok, pid} = Beamr.start_link(bytes: bytes, wasi: [stdout: self(), stderr: self()])
    assert {:ok, []} = Beamr.call_function(pid, "_start", [])
    assert collect(pid, :stdout) == captured.stdout
    assert collect(pid, :stderr) == captured.stderr
  end

  test "stdout into a Beamr.Pipe" do
    {:ok, stdout} = Beamr.Pipe.new()

    {:ok, pid} =
      Beamr.start_link(
        bytes: program("hello"),
        wasi: %Beamr.Wasi{args: ["hello", "a", "b"], stdout: stdout}
      )

    assert {:ok, []} = Beamr.call_function(pid, :_start, [])
    assert :ok = Beamr.Pipe.seek(stdout, 0)
    assert Beamr.Pipe.read(stdout) == expected("hello.stdout")
    assert Beamr.Pipe.size(stdout) == byte_size(expected("hello.stdout"))
  end

  test "wasi: false is no WASI" do
    assert {:error, %Beamr.LinkError{reason: :unknown_import, module: "wasi_snapshot_preview1"}} =
             Beamr.start_link(bytes: program("hello"), wasi: false)
  end

  test "bad WASI options raise ArgumentError" do
    bytes = program("hello")
    assert_raise ArgumentError, fn -> Beamr.start_link(bytes: bytes, wasi: [args: "hello"]) end
    assert_raise ArgumentError, fn -> Beamr.start_link(bytes: bytes, wasi: [stdout: :bogus]) end
    assert_raise ArgumentError, fn -> Beamr.start_link(bytes: bytes, wasi: [stdin: 42]) end
    assert_raise ArgumentError, fn -> Beamr.start_link(bytes: bytes, wasi: [env: "A=1"]) end
    assert_raise ArgumentError, fn -> Beamr.start_link(bytes: bytes, wasi: :yes) end
    assert_raise ArgumentError, fn -> Beamr.run_wasi(bytes, bogus: 1) end
  end

  test "a WASI program that loops is ended by the timeout" do
    wat = ~S"""
    (module
      (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (loop br 0)))
    """

    assert {:error, :timeout} = Beamr.run_wasi(TestHelper.wasm(wat), timeout: 50)
    assert {:error, :out_of_fuel} = Beamr.run_wasi(TestHelper.wasm(wat), fuel: 10_000)
  end

  @tag :needs_stdin_stream
  test "stdin from a Beamr.Pipe, written after the start (Wasmex's echo)" do
    {:ok, stdin} = Beamr.Pipe.new()
    {:ok, stdout} = Beamr.Pipe.new()
    wasi = %Beamr.Wasi{args: ["cat_stdin"], stdin: stdin, stdout: stdout}
    {:ok, pid} = Beamr.start_link(bytes: program("cat_stdin"), wasi: wasi)
    {:ok, 11} = Beamr.Pipe.write(stdin, "Ship it!\nx\n")
    :ok = Beamr.Pipe.close(stdin)
    assert {:ok, []} = Beamr.call_function(pid, :_start, [])
    :ok = Beamr.Pipe.seek(stdout, 0)
    assert Beamr.Pipe.read(stdout) == "SHIP IT!\nX\n--\nbytes=11 lines=2 words=3 again=0\n"
    # The stdin pipe's buffer is still readable.
    :ok = Beamr.Pipe.seek(stdin, 0)
    assert Beamr.Pipe.read(stdin) == "Ship it!\nx\n"
  end

  @tag :needs_stdin_stream
  test "a program waits on an empty stdin pipe until it is written and closed" do
    {:ok, stdin} = Beamr.Pipe.new()
    {:ok, pid} = Beamr.start_link(bytes: program("cat_stdin"), wasi: [stdin: stdin])
    task = Task.async(fn -> Beamr.call_function(pid, :_start, [], :infinity) end)
    Process.sleep(50)
    assert Task.yield(task, 0) == nil
    {:ok, _} = Beamr.Pipe.write(stdin, "late\n")
    Process.sleep(20)
    assert Task.yield(task, 0) == nil
    :ok = Beamr.Pipe.close(stdin)
    assert {:ok, []} = Task.await(task)
    assert {:ok, "LATE\n--\nbytes=5 lines=1 words=1 again=0\n"} = Beamr.Wasi.output(pid, :stdout)
  end

  @tag :needs_stdin_stream
  test "an empty open stdin pipe: the call's timeout ends the wait" do
    {:ok, stdin} = Beamr.Pipe.new()
    {:ok, pid} = Beamr.start_link(bytes: program("cat_stdin"), wasi: [stdin: stdin])
    assert {:error, :timeout} = Beamr.call_function(pid, :_start, [], 100)
  end

  defp collect(pid, stream, acc \\ "") do
    receive do
      {:beamr_output, ^pid, ^stream, data} -> collect(pid, stream, acc <> data)
    after
      0 -> acc
    end
  end
end
