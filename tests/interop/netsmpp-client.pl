#!/usr/bin/perl
# Net::SMPP (Debian libnet-smpp-perl) as a third-party ESME: binds transceiver, submits N messages, prints the
# responses and any deliver_sm (receipts) it gets, unbinds. One JSON object per stdout line:
#   {"event":"bind","status":0,"system_id":"..."}
#   {"event":"submit_sm_resp","seq":2,"status":0,"message_id":"..."}
#   {"event":"deliver_sm","seq":9,"esm_class":4,"short_message":"id:1 sub:001 ...","receipted_message_id":"1"}
#   {"event":"unbind_resp","status":0}
#   {"event":"summary","submitted":N,"answered":N,"ok":N,"receipts":R,"timed_out":false}
#
#   perl netsmpp-client.pl --host 127.0.0.1 --port 2775 --system-id myuser --password mypass
#        [--count 3] [--wait-receipts] [--timeout 30] [--destination +34676388300] [--source Instasent]
#
# Everything is bounded by --timeout seconds. Exit 0 when every submit was answered ESME_ROK (and, with
# --wait-receipts, a receipt arrived for each), 2 when the bind was refused, 3 otherwise.
use strict;
use warnings;
use Getopt::Long;
use IO::Select;
use JSON::PP;
use Time::HiRes qw(time);
use Net::SMPP;

my %opt = (host => '127.0.0.1', port => 2775, 'system-id' => '', password => '', count => 1,
           timeout => 30, destination => '+34676388300', source => 'Instasent', text => 'Net::SMPP interop');
GetOptions(\%opt, 'host=s', 'port=i', 'system-id=s', 'password=s', 'count=i', 'wait-receipts',
           'timeout=i', 'destination=s', 'source=s', 'text=s') or die "bad arguments\n";

my $json = JSON::PP->new->canonical;
$| = 1;
sub emit { print $json->encode($_[0]), "\n"; }
# receipted_message_id is a C-Octet String TLV (SMPP 3.4 §5.3.2.12): Net::SMPP keeps its terminating NUL.
sub cstring { my $s = shift; $s =~ s/\x00\z// if defined $s; $s }
sub printable { my $s = shift; return undef unless defined $s; $s =~ s/([^\x20-\x7e])/sprintf('\\x%02x', ord $1)/ge; $s }

my $deadline = time + $opt{timeout};
my $smpp = Net::SMPP->new_connect($opt{host}, port => $opt{port}, timeout => 10, async => 1,
    system_id => $opt{'system-id'}, password => $opt{password}, interface_version => 0x34)
    or do { emit({ event => 'error', message => "cannot connect: $!" }); exit 3; };
my $select = IO::Select->new($smpp);

# Reads the next PDU, waiting at most until the deadline; undef on time-out or a closed connection.
sub next_pdu {
    my $left = $deadline - time;
    return undef if $left <= 0;
    return undef unless $select->can_read($left);
    return $smpp->read_pdu();
}

my $timed_out = 0;
my $bind_seq = $smpp->bind_transceiver();
my $bind;
while (!$bind) {
    my $pdu = next_pdu() or do { $timed_out = 1; last; };
    $bind = $pdu if $pdu->{cmd} == Net::SMPP::CMD_bind_transceiver_resp && $pdu->{seq} == $bind_seq;
}
if (!$bind) { emit({ event => 'error', message => 'no bind_transceiver_resp' }); exit 3; }
emit({ event => 'bind', status => $bind->{status}, system_id => $bind->{system_id} });
if ($bind->{status} != 0) { close $smpp; exit 2; }

my %pending;
for my $i (1 .. $opt{count}) {
    my $seq = $smpp->submit_sm(source_addr_ton => 5, source_addr_npi => 0, source_addr => $opt{source},
        dest_addr_ton => 1, dest_addr_npi => 1, destination_addr => $opt{destination},
        registered_delivery => $opt{'wait-receipts'} ? 1 : 0, data_coding => 0,
        short_message => "$opt{text} $i");
    $pending{$seq} = 1;
}

my ($answered, $ok, $receipts) = (0, 0, 0);
while (%pending || ($opt{'wait-receipts'} && $receipts < $ok)) {
    my $pdu = next_pdu() or do { $timed_out = 1; last; };
    if ($pdu->{cmd} == Net::SMPP::CMD_submit_sm_resp && delete $pending{$pdu->{seq}}) {
        $answered++;
        $ok++ if $pdu->{status} == 0;
        emit({ event => 'submit_sm_resp', seq => $pdu->{seq}, status => $pdu->{status},
               message_id => $pdu->{message_id} });
    } elsif ($pdu->{cmd} == Net::SMPP::CMD_deliver_sm) {
        $receipts++ if (($pdu->{esm_class} // 0) & 0x3c) == 0x04;
        emit({ event => 'deliver_sm', seq => $pdu->{seq}, esm_class => $pdu->{esm_class},
               data_coding => $pdu->{data_coding}, short_message => printable($pdu->{short_message}),
               receipted_message_id => printable(cstring($pdu->{receipted_message_id})) });
        $smpp->deliver_sm_resp(seq => $pdu->{seq}, message_id => '');
    } elsif ($pdu->{cmd} == Net::SMPP::CMD_enquire_link) {
        $smpp->enquire_link_resp(seq => $pdu->{seq});
    } else {
        emit({ event => 'other', cmd => sprintf('0x%08x', $pdu->{cmd}), seq => $pdu->{seq}, status => $pdu->{status} });
    }
}

my $unbind_seq = $smpp->unbind();
while (1) {
    my $pdu = next_pdu() or last;
    if ($pdu->{cmd} == Net::SMPP::CMD_unbind_resp && $pdu->{seq} == $unbind_seq) {
        emit({ event => 'unbind_resp', status => $pdu->{status} });
        last;
    }
    $smpp->deliver_sm_resp(seq => $pdu->{seq}, message_id => '') if $pdu->{cmd} == Net::SMPP::CMD_deliver_sm;
}
close $smpp;

emit({ event => 'summary', submitted => $opt{count} + 0, answered => $answered, ok => $ok,
       receipts => $receipts, timed_out => $timed_out ? JSON::PP::true : JSON::PP::false });
my $success = !$timed_out && $ok == $opt{count} && (!$opt{'wait-receipts'} || $receipts >= $ok);
exit($success ? 0 : 3);
