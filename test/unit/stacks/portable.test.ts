import { accountAndRegionLiterals, pinStackName } from '../../../generator/stacks/portable';

describe('pinStackName', () => {
  const template = {
    Resources: {
      Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { Ref: 'AWS::StackName' }, DisplayName: { 'Fn::Sub': 'Alerts of ${AWS::StackName} in ${AWS::Region}' } } },
      LaunchTemplate: {
        Type: 'AWS::EC2::LaunchTemplate',
        Properties: { LaunchTemplateData: { UserData: { 'Fn::Base64': { 'Fn::Sub': "cfn-signal --stack '${AWS::StackName}'" } } } },
      },
      Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmDescription: { 'Fn::Sub': ['${AWS::StackName} in ${Where}', { Where: { Ref: 'AWS::StackName' } }] } } },
    },
    Outputs: { VpcId: { Value: { Ref: 'Vpc' }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-VpcId' } } } },
  };
  const pinned = pinStackName(template, 'shop-prod-network') as typeof template & Record<string, never>;

  it('gives export names the stack name the importing stacks know, as plain strings', () => {
    expect(pinned.Outputs.VpcId.Export.Name).toBe('shop-prod-network-VpcId');
    expect(pinned.Resources.Topic.Properties.TopicName).toBe('shop-prod-network');
  });

  it('keeps other substitutions', () => {
    expect(pinned.Resources.Topic.Properties.DisplayName).toEqual({ 'Fn::Sub': 'Alerts of shop-prod-network in ${AWS::Region}' });
    expect(pinned.Resources.Alarm.Properties.AlarmDescription).toEqual({ 'Fn::Sub': ['shop-prod-network in ${Where}', { Where: 'shop-prod-network' }] });
  });

  it('leaves user data on the live stack name, which cfn-signal must address', () => {
    expect(pinned.Resources.LaunchTemplate).toEqual(template.Resources.LaunchTemplate);
  });
});

describe('accountAndRegionLiterals', () => {
  it('finds account ids and region names anywhere but in Mappings', () => {
    expect(accountAndRegionLiterals({
      Mappings: { ElbLogDelivery: { 'eu-west-1': { Account: '156460612806' } } },
      Resources: {
        Bucket: { Type: 'AWS::S3::Bucket', Properties: { Principal: 'arn:aws:iam::156460612806:root' } },
        Record: { Type: 'AWS::Route53::RecordSet', Properties: { Name: 'api.eu-west-1.example.com' } },
        Map: { Type: 'X', Properties: { 'us-east-2': 'key' } },
      },
    })).toEqual([
      'Resources.Bucket.Properties.Principal: 156460612806',
      'Resources.Record.Properties.Name: eu-west-1',
      'Resources.Map.Properties.us-east-2: us-east-2',
    ]);
  });

  it('passes pseudo parameters, longer numbers and look-alike names', () => {
    expect(accountAndRegionLiterals({
      Resources: {
        Topic: { Type: 'X', Properties: { Arn: { 'Fn::Sub': 'arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:t' }, Size: '1234567890123', Name: 'xeu-west-1', Zone: 'eu-west-12' } },
      },
    })).toEqual([]);
  });
});
