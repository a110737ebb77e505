import {
  FlowLogDestination,
  FlowLogTrafficType,
  type IConnectable,
  type IInterfaceVpcEndpointService,
  type InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  type ISubnet,
  Peer,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * Subnet group names created by {@link PerfKitNetwork}.
 *
 * @example
 * ```ts
 * vpc.selectSubnets({ subnetGroupName: SubnetGroup.Database });
 * ```
 */
export const SubnetGroup = {
  Functions: 'functions',
  Database: 'database',
  Cache: 'cache',
  Public: 'public',
} as const;

/**
 * Props of {@link PerfKitNetwork}.
 *
 * @example
 * ```ts
 * const props: PerfKitNetworkProps = { maxAzs: 3, natGateways: 0 };
 * ```
 */
export interface PerfKitNetworkProps {
  /**
   * Availability zones to spread the subnets over (Aurora and a multi-AZ cache need at least 2).
   * @default 2
   */
  readonly maxAzs?: number;
  /**
   * NAT gateways. With 0 the functions' subnets are isolated and reach AWS only through the
   * interface endpoints below (cheaper than a NAT gateway per AZ for this traffic). With more, the
   * functions' subnets get a route to the internet through NAT and a public subnet group is added.
   * @default 0
   */
  readonly natGateways?: number;
  /**
   * Interface endpoints created in the functions' subnets.
   * @default - SQS, Secrets Manager, CloudWatch (monitoring) and X-Ray
   */
  readonly interfaceEndpoints?: readonly IInterfaceVpcEndpointService[];
  /**
   * CIDR block of the VPC.
   * @default '10.40.0.0/16'
   */
  readonly cidr?: string;
}

/**
 * The VPC: isolated subnets for the database and the cache, private subnets for the functions,
 * VPC interface endpoints instead of NAT, a security group for the functions (no default egress)
 * and a flow log of rejected traffic.
 *
 * @example
 * ```ts
 * const network = new PerfKitNetwork(this, 'Network', { maxAzs: 2 });
 * new lambda.Function(this, 'Fn', { vpc: network.vpc, vpcSubnets: network.functionSubnets, ... });
 * ```
 */
export class PerfKitNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: Vpc;
  /** Subnets the functions run in. */
  public readonly functionSubnets: SubnetSelection;
  /** Isolated subnets of the database (Aurora, RDS Proxy). */
  public readonly databaseSubnets: SubnetSelection;
  /** Isolated subnets of the cache. */
  public readonly cacheSubnets: SubnetSelection;
  /** Security group shared by the functions; egress is added per target (endpoints, database, cache). */
  public readonly functionSecurityGroup: SecurityGroup;
  /** Security group of the interface endpoints: HTTPS from the security groups given to {@link PerfKitNetwork.allowEndpointAccess}. */
  public readonly endpointSecurityGroup: SecurityGroup;
  /** The interface endpoints, by service name. */
  public readonly endpoints: Readonly<Record<string, InterfaceVpcEndpoint>>;

  constructor(scope: Construct, id: string, props: PerfKitNetworkProps = {}) {
    super(scope, id);
    const maxAzs = props.maxAzs ?? 2;
    const natGateways = props.natGateways ?? 0;
    if (!Number.isInteger(maxAzs) || maxAzs < 2 || maxAzs > 6) {
      throw new RangeError(
        `${this.node.path}: maxAzs must be an integer from 2 to 6 (Aurora and a multi-AZ cache need 2 AZs), received ${maxAzs}`,
      );
    }
    if (!Number.isInteger(natGateways) || natGateways < 0 || natGateways > maxAzs) {
      throw new RangeError(
        `${this.node.path}: natGateways must be an integer from 0 to maxAzs (${maxAzs}), received ${natGateways}`,
      );
    }
    const functionsType = natGateways > 0 ? SubnetType.PRIVATE_WITH_EGRESS : SubnetType.PRIVATE_ISOLATED;
    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(props.cidr ?? '10.40.0.0/16'),
      maxAzs,
      natGateways,
      subnetConfiguration: [
        ...(natGateways > 0
          ? [{ name: SubnetGroup.Public, subnetType: SubnetType.PUBLIC, cidrMask: 24 }]
          : []),
        { name: SubnetGroup.Functions, subnetType: functionsType, cidrMask: 22 },
        { name: SubnetGroup.Database, subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
        { name: SubnetGroup.Cache, subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      restrictDefaultSecurityGroup: true,
    });
    this.vpc.addFlowLog('FlowLog', {
      trafficType: FlowLogTrafficType.REJECT,
      destination: FlowLogDestination.toCloudWatchLogs(
        new LogGroup(this, 'FlowLogGroup', { retention: RetentionDays.ONE_MONTH }),
      ),
    });
    this.functionSubnets = { subnetGroupName: SubnetGroup.Functions };
    this.databaseSubnets = { subnetGroupName: SubnetGroup.Database };
    this.cacheSubnets = { subnetGroupName: SubnetGroup.Cache };

    this.functionSecurityGroup = new SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'lambda-perf-kit functions: egress only to the endpoints, database and cache',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description:
        'lambda-perf-kit VPC interface endpoints: HTTPS from the functions and the rotation function',
      allowAllOutbound: false,
    });
    this.allowEndpointAccess(this.functionSecurityGroup);
    if (natGateways > 0) {
      this.functionSecurityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS through NAT');
    }

    const services = props.interfaceEndpoints ?? [
      InterfaceVpcEndpointAwsService.SQS,
      InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
      InterfaceVpcEndpointAwsService.XRAY,
    ];
    const endpoints: Record<string, InterfaceVpcEndpoint> = {};
    for (const service of services) {
      const short =
        service instanceof InterfaceVpcEndpointAwsService
          ? service.shortName
          : `Endpoint${Object.keys(endpoints).length}`;
      endpoints[short] = this.vpc.addInterfaceEndpoint(`${pascal(short)}Endpoint`, {
        service,
        subnets: this.functionSubnets,
        securityGroups: [this.endpointSecurityGroup],
        open: false,
        privateDnsEnabled: true,
      });
    }
    this.endpoints = endpoints;
  }

  /** Let a client (security group, function) call AWS APIs through the interface endpoints (HTTPS). */
  allowEndpointAccess(client: IConnectable): void {
    this.endpointSecurityGroup.connections.allowFrom(
      client,
      Port.tcp(443),
      'HTTPS to AWS APIs via endpoints',
    );
  }

  /** The subnets of one group, e.g. to build a subnet group. */
  subnetsOf(selection: SubnetSelection): ISubnet[] {
    return this.vpc.selectSubnets(selection).subnets;
  }
}

function pascal(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter((p) => p.length > 0)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}
