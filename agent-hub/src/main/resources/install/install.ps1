#Requires -Version 5.1
<#
.SYNOPSIS
  restic-manager agent installer for Windows, served by the server at /install.ps1.

.DESCRIPTION
  From an elevated PowerShell (Run as administrator):

    [Net.ServicePointManager]::SecurityProtocol = 'Tls12'; & ([scriptblock]::Create((irm @@RM_PUBLIC_URL@@/install.ps1))) -Token <token> -Sha256 <digest>

  Downloads the agent bundle and checks it against its SHA-256 (from the command, else the digest this script was
  served with) and against the server's signed checksum list (Ed25519, checked with the release key below by a
  verifier this script carries, run on the host's Java) before anything from it runs; a bundle with any other
  digest or an unsigned list is refused. WinSW, the service wrapper, is checked against its pinned SHA-256.

  Installs the agent to %ProgramFiles%\restic-manager-agent, keeps its config and state in
  %ProgramData%\restic-manager (SYSTEM and Administrators only), enrolls this host with the one-time token and
  runs the agent as the Windows service "restic-manager-agent" (LocalSystem, started at boot, restarted when it
  fails). It lists existing scheduled tasks that run restic, with the command that disables each one, but never
  disables anything itself.

  Java 21 or newer runs the agent: -Java names one, else the runtime this script installed before, %JAVA_HOME%,
  java.exe on PATH; with none of them it installs the Eclipse Temurin 21 JRE from adoptium.net (checked against
  the SHA-256 Adoptium publishes) into the agent's own directory. restic 0.14 or newer must be on PATH (or named by
  -Restic); -InstallRestic installs it with winget.

  Run it again without -Token to upgrade: the config and the enrollment stay. -Uninstall removes the service, the
  agent and its state (repositories and backed-up files stay).

.NOTES
  Not run on a real Windows machine by the project's tests (none runs where they run); its syntax is checked by a
  PowerShell parser and the verifier it carries is run against real signatures. See the README.
#>
[CmdletBinding()]
param(
    [string]$Server = '@@RM_PUBLIC_URL@@',
    [string]$Token = '',
    [string]$Sha256 = '@@BUNDLE_SHA256@@',
    [string]$InstallDir = (Join-Path $env:ProgramFiles 'restic-manager-agent'),
    [string]$Java = '',
    [string]$Restic = '',
    [switch]$InstallRestic,
    [switch]$Uninstall
)

Set-StrictMode -Version 3
$ErrorActionPreference = 'Stop'
# Invoke-WebRequest is many times slower while it draws a progress bar
$ProgressPreference = 'SilentlyContinue'
[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12

$ServiceId = 'restic-manager-agent'
$StateDir = Join-Path $env:ProgramData 'restic-manager'
$Config = Join-Path $StateDir 'agent.yaml'
$BundleName = 'restic-manager-agent-windows.zip'
$Jar = Join-Path $InstallDir 'restic-manager-agent.jar'
$WinSW = Join-Path $InstallDir "$ServiceId.exe"
$WinSWUrl = 'https://github.com/winsw/winsw/releases/download/v2.12.0/WinSW-x64.exe'
$WinSWSha256 = '05b82d46ad331cc16bdc00de5c6332c1ef818df8ceefcd49c726553209b3a0da'
$AdoptiumApi = 'https://api.adoptium.net/v3/assets/latest/21/hotspot?architecture=x64&image_type=jre&os=windows&vendor=eclipse'
# the server's Ed25519 release key: the checksum list (SHA256SUMS) must carry its signature
$ReleaseKey = @'
@@RELEASE_KEY_PEM@@
'@
# io.resticmanager.common.SignedSums, compiled: checks that signature with nothing but the JDK
$VerifierClass = '@@VERIFIER_CLASS_BASE64@@'

function Say([string]$Message) {
    Write-Host $Message
}

function Stop-Install([string]$Message) {
    # throw, not exit: exit would close the PowerShell window the one-liner runs in
    throw "restic-manager install: $Message"
}

function Get-Sha256([string]$Path) {
    return (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant()
}

function Get-Download([string]$Url, [string]$OutFile) {
    try {
        Invoke-WebRequest -UseBasicParsing -Uri $Url -OutFile $OutFile
    } catch {
        Stop-Install "cannot download ${Url}: $($_.Exception.Message)"
    }
}

function Test-Administrator {
    $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object Security.Principal.WindowsPrincipal($identity)
    return $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
}

# The major version a java.exe reports, 0 when it does not answer like Java.
function Get-JavaMajor([string]$JavaExe) {
    # java -version writes to stderr: Windows PowerShell turns that into errors unless they are only continued
    $ErrorActionPreference = 'Continue'
    $text = (& $JavaExe -version 2>&1 | Out-String)
    if ($text -match 'version "(\d+)') {
        return [int]$Matches[1]
    }
    return 0
}

function Find-Java {
    $candidates = @()
    if ($Java) { $candidates += $Java }
    $candidates += (Join-Path $InstallDir 'runtime\bin\java.exe')
    if ($env:JAVA_HOME) { $candidates += (Join-Path $env:JAVA_HOME 'bin\java.exe') }
    $onPath = Get-Command java.exe -ErrorAction SilentlyContinue
    if ($onPath) { $candidates += $onPath.Source }
    foreach ($candidate in $candidates) {
        if ((Test-Path -LiteralPath $candidate) -and ((Get-JavaMajor $candidate) -ge 21)) {
            return $candidate
        }
    }
    if ($Java) { Stop-Install "-Java $Java is not a Java 21 or newer" }
    return $null
}

# The Temurin 21 JRE from adoptium.net into $InstallDir\runtime, checked against the digest Adoptium publishes.
function Install-Runtime([string]$Tmp) {
    Say 'No Java 21+ found: installing the Eclipse Temurin 21 JRE from adoptium.net ...'
    $assets = @(Invoke-RestMethod -UseBasicParsing -Uri $AdoptiumApi)
    if ($assets.Count -lt 1) { Stop-Install "adoptium.net named no Temurin 21 JRE for windows x64" }
    $package = $assets[0].binary.package
    $zip = Join-Path $Tmp 'jre.zip'
    Get-Download $package.link $zip
    if ((Get-Sha256 $zip) -ne $package.checksum.ToLowerInvariant()) {
        Stop-Install "the Java runtime from $($package.link) does not have the SHA-256 Adoptium publishes"
    }
    $unpacked = Join-Path $Tmp 'jre'
    Expand-Archive -LiteralPath $zip -DestinationPath $unpacked
    $top = @(Get-ChildItem -LiteralPath $unpacked -Directory)[0]
    $runtime = Join-Path $InstallDir 'runtime'
    if (Test-Path -LiteralPath $runtime) { Remove-Item -LiteralPath $runtime -Recurse -Force }
    Move-Item -LiteralPath $top.FullName -Destination $runtime
    return (Join-Path $runtime 'bin\java.exe')
}

function Find-Restic {
    if ($Restic) {
        if (-not (Test-Path -LiteralPath $Restic)) { Stop-Install "-Restic $Restic does not exist" }
        return (Resolve-Path -LiteralPath $Restic).Path
    }
    $found = Get-Command restic.exe -ErrorAction SilentlyContinue
    if (-not $found -and $InstallRestic) {
        if (-not (Get-Command winget.exe -ErrorAction SilentlyContinue)) {
            Stop-Install 'winget is not available here: install restic 0.14+ yourself and run this again'
        }
        Say 'Installing restic with winget ...'
        & winget.exe install --exact --id restic.restic --silent --accept-package-agreements --accept-source-agreements
        $env:Path = [Environment]::GetEnvironmentVariable('Path', 'Machine') + ';' + [Environment]::GetEnvironmentVariable('Path', 'User')
        $found = Get-Command restic.exe -ErrorAction SilentlyContinue
    }
    if (-not $found) {
        Stop-Install ('restic was not found on PATH. Install restic 0.14 or newer (winget install --exact --id ' +
            'restic.restic, scoop install restic or choco install restic), then run this again; or pass ' +
            '-InstallRestic (winget) or -Restic C:\path\to\restic.exe')
    }
    return $found.Source
}

function Test-ResticVersion([string]$ResticExe) {
    $text = (& $ResticExe version | Out-String)
    if ($text -notmatch 'restic (\d+)\.(\d+)') { Stop-Install "$ResticExe did not answer 'restic version'" }
    if ([int]$Matches[1] -eq 0 -and [int]$Matches[2] -lt 14) {
        Stop-Install "$ResticExe is restic $($Matches[1]).$($Matches[2]); the agent needs restic 0.14 or newer"
    }
    Say "restic: $ResticExe ($($text.Trim()))"
}

# The bundle is refused unless its digest is the expected one and the signed checksum list names it.
function Test-Bundle([string]$Tmp, [string]$JavaExe, [string]$Bundle) {
    $actual = Get-Sha256 $Bundle
    if ($Sha256 -and $actual -ne $Sha256.ToLowerInvariant()) {
        Stop-Install ("the downloaded bundle has SHA-256 $actual, not the $Sha256 of the install command: " +
            'refusing to install it (has the server been upgraded since the command was made? then make a new one)')
    }
    $verifier = Join-Path $Tmp 'verifier'
    $classDir = Join-Path $verifier 'io\resticmanager\common'
    New-Item -ItemType Directory -Force -Path $classDir | Out-Null
    [IO.File]::WriteAllBytes((Join-Path $classDir 'SignedSums.class'), [Convert]::FromBase64String($VerifierClass))
    $keyFile = Join-Path $Tmp 'release-key.pem'
    [IO.File]::WriteAllText($keyFile, $ReleaseKey)
    $sums = Join-Path $Tmp 'SHA256SUMS'
    $signature = Join-Path $Tmp 'SHA256SUMS.sig'
    Get-Download "$Server/downloads/SHA256SUMS" $sums
    Get-Download "$Server/downloads/SHA256SUMS.sig" $signature
    & $JavaExe -cp $verifier io.resticmanager.common.SignedSums $keyFile $sums $signature $actual $BundleName
    if ($LASTEXITCODE -ne 0) {
        Stop-Install 'the bundle is not in the checksum list signed by the server''s release key: refusing to install it'
    }
    Say "Bundle: SHA-256 $actual, signed by the server's release key (Ed25519): verified"
}

function Install-WinSW([string]$Tmp) {
    $download = Join-Path $Tmp 'WinSW-x64.exe'
    Get-Download $WinSWUrl $download
    if ((Get-Sha256 $download) -ne $WinSWSha256) {
        Stop-Install "WinSW from $WinSWUrl does not have its pinned SHA-256 ${WinSWSha256}: refusing to use it"
    }
    Copy-Item -LiteralPath $download -Destination $WinSW -Force
}

# Config and state: SYSTEM and Administrators only (the config holds the agent's credential).
function Protect-StateDir {
    New-Item -ItemType Directory -Force -Path $StateDir | Out-Null
    & icacls.exe $StateDir /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' | Out-Null
    if ($LASTEXITCODE -ne 0) { Stop-Install "cannot restrict the permissions of $StateDir" }
}

function Show-ResticTasks {
    try {
        $tasks = @(Get-ScheduledTask -ErrorAction Stop | Where-Object {
                # COM-handler actions have no Execute or Arguments: read the properties only where they exist
                $commands = ($_.Actions | ForEach-Object {
                        foreach ($name in 'Execute', 'Arguments') {
                            $property = $_.PSObject.Properties[$name]
                            if ($property) { $property.Value }
                        }
                    }) -join ' '
                $_.TaskName -like '*restic*' -or $commands -like '*restic*'
            })
    } catch {
        Say "Could not list scheduled tasks ($($_.Exception.Message)); check Task Scheduler for restic tasks yourself."
        return
    }
    if ($tasks.Count -eq 0) {
        return
    }
    Say ''
    Say 'Scheduled tasks on this host that already run restic. Review them: once the server schedules this host''s'
    Say 'backups they may run twice. Nothing was changed; to disable one:'
    foreach ($task in $tasks) {
        Say "  $($task.TaskPath)$($task.TaskName) [$($task.State)]"
        Say "    Disable-ScheduledTask -TaskPath '$($task.TaskPath)' -TaskName '$($task.TaskName)'"
    }
}

function Remove-Agent {
    if (Get-Service -Name $ServiceId -ErrorAction SilentlyContinue) {
        & $WinSW stop | Out-Null
        & $WinSW uninstall | Out-Null
    }
    foreach ($dir in @($InstallDir, $StateDir)) {
        if (Test-Path -LiteralPath $dir) { Remove-Item -LiteralPath $dir -Recurse -Force }
    }
    Say 'restic-manager agent removed (repositories and backed-up files were not touched).'
}

if (-not (Test-Administrator)) {
    Stop-Install 'run this from an elevated PowerShell (Run as administrator): it installs a Windows service'
}
if ($Uninstall) {
    Remove-Agent
    return
}
if ($Server -notmatch '^https://' -and $Server -notmatch '^http://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$') {
    Stop-Install "-Server must be an https:// URL (plain http only to this machine), got: $Server"
}
$Server = $Server.TrimEnd('/')
$upgrade = Test-Path -LiteralPath $Config
if (-not $Token -and -not $upgrade) {
    Stop-Install '-Token is required (make an enrollment token in the dashboard: Hosts, Add host)'
}

$tmp = Join-Path ([IO.Path]::GetTempPath()) ('restic-manager-' + [Guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Force -Path $tmp, $InstallDir | Out-Null
try {
    $resticExe = Find-Restic
    Test-ResticVersion $resticExe
    $javaExe = Find-Java
    if (-not $javaExe) { $javaExe = Install-Runtime $tmp }
    Say "Java: $javaExe"

    $bundle = Join-Path $tmp $BundleName
    Get-Download "$Server/downloads/$BundleName" $bundle
    Test-Bundle $tmp $javaExe $bundle

    # stopped before anything is replaced: Windows does not let a running service's files be overwritten
    if (Get-Service -Name $ServiceId -ErrorAction SilentlyContinue) {
        Say 'Stopping the running agent for the upgrade ...'
        & $WinSW stop | Out-Null
    }
    Install-WinSW $tmp
    $unpacked = Join-Path $tmp 'bundle'
    Expand-Archive -LiteralPath $bundle -DestinationPath $unpacked
    $libs = Join-Path $InstallDir 'libs'
    if (Test-Path -LiteralPath $libs) { Remove-Item -LiteralPath $libs -Recurse -Force }
    Copy-Item -Path (Join-Path $unpacked 'restic-manager-agent\*') -Destination $InstallDir -Recurse -Force
    $service = (Get-Content -LiteralPath (Join-Path $InstallDir "$ServiceId.xml") -Raw).Replace('@@JAVA@@', $javaExe)
    [IO.File]::WriteAllText((Join-Path $InstallDir "$ServiceId.xml"), $service)

    Protect-StateDir
    if ($Token) {
        & $javaExe "@$InstallDir\agent.jvm" -jar $Jar enroll --server $Server --token $Token --config $Config --restic $resticExe
        if ($LASTEXITCODE -ne 0) { Stop-Install 'enrollment failed (see the message above)' }
    }
    if (-not (Get-Service -Name $ServiceId -ErrorAction SilentlyContinue)) {
        & $WinSW install
        if ($LASTEXITCODE -ne 0) { Stop-Install 'WinSW could not install the service' }
    }
    & $WinSW start
    if ($LASTEXITCODE -ne 0) { Stop-Install "the service did not start; see $StateDir\logs" }
    Say ''
    Say "restic-manager agent installed and running as the Windows service $ServiceId."
    Say "Config: $Config   Logs: $StateDir\logs   Upgrade: run this command again without -Token."
    Show-ResticTasks
} finally {
    Remove-Item -LiteralPath $tmp -Recurse -Force -ErrorAction SilentlyContinue
}
