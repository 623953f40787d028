using System.Runtime.InteropServices;

// Runs Garnet with the command line it is given (Garnet's own options: --port, --bind, --auth, --password, ...)
// until SIGTERM or SIGINT.
using var stop = new ManualResetEventSlim();
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Set(); });
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Set(); });
using var server = new Garnet.GarnetServer(args);
server.Start();
Console.WriteLine("Garnet is ready");
stop.Wait();
